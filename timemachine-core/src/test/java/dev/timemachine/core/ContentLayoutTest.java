package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Layouts built from small writes, appended and not, against a model of the file's bytes. */
class ContentLayoutTest {

    /** A million-write log is one slice, and its bytes are the writes' in order. */
    @Test
    void appendedWritesAreOneSegment() throws IOException {
        ContentLayout layout = new ContentLayout();
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) {
            byte[] line = ("line " + i + "\n").getBytes();
            layout.write(model.size(), line, "w" + i);
            model.writeBytes(line);
        }
        assertEquals(1, layout.segments().size());
        assertArrayEquals(model.toByteArray(), layout.toBytes(null));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        layout.writeTo(out, null);
        assertArrayEquals(model.toByteArray(), out.toByteArray());
    }

    /**
     * Appends mixed with writes inside the file, writes past its end, truncates (shorter and longer) and
     * keyframes of zeros: the layout always holds the model's bytes, and appends after a write inside the last
     * slice or a truncate into it never change bytes placed before.
     */
    @Test
    void randomWritesMatchTheModel() {
        Random rnd = new Random(17);
        for (int round = 0; round < 200; round++) {
            ContentLayout layout = new ContentLayout();
            byte[] model = new byte[0];
            int appends = 0;
            for (int op = 0; op < 400; op++) {
                int kind = rnd.nextInt(20);
                if (kind < 12) {
                    byte[] data = bytes(rnd, 1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 600));
                    layout.write(model.length, data, "append");
                    model = put(model, model.length, data);
                    appends++;
                } else if (kind < 16) {
                    byte[] data = bytes(rnd, 1 + rnd.nextInt(100));
                    int at = rnd.nextInt(model.length + 50);
                    layout.write(at, data, "write");
                    model = put(model, at, data);
                } else if (kind < 19) {
                    int length = rnd.nextInt(model.length + 100);
                    layout.truncate(length);
                    model = Arrays.copyOf(model, length);
                } else {
                    int length = rnd.nextInt(300);
                    layout.keyframe(null, length, "keyframe");
                    model = new byte[length];
                }
                assertEquals(model.length, layout.size());
                assertArrayEquals(model, layout.toBytes(null), "round " + round + ", op " + op);
            }
            assertTrue(appends > 0);
        }
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] put(byte[] model, int at, byte[] data) {
        byte[] out = Arrays.copyOf(model, Math.max(model.length, at + data.length));
        System.arraycopy(data, 0, out, at, data.length);
        return out;
    }
}
