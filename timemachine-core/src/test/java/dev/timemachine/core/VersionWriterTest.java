package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.Op;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The writer alone: records from events, and the keyframes of small files from the bytes it holds. */
class VersionWriterTest {
    private static final byte[] ROOT = b("/r");
    private static final byte[] FILE = b("/r/hot");

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private final AtomicInteger readBacks = new AtomicInteger();
    private byte[] readBackGives = new byte[0];
    private long seq;

    private VersionWriter writer(TreeState tree) {
        PathFilter filter = new PathFilter(List.of(Path.of("/r")), List.of(), null);
        return new VersionWriter(tree, filter, new DiskImporter(null, filter), (path, t, s) -> {
            readBacks.incrementAndGet();
            return readBackGives.clone();
        }, hash -> {
            throw new AssertionError("no payload is fetched: the events carry them");
        });
    }

    private void apply(VersionWriter w, FsEvent e) {
        w.apply(JournalTail.Held.of(new JournalEntry(++seq, e), null));
    }

    /** Many 4 KiB writes at scattered offsets: every keyframe holds exactly the bytes written so far, none read back. */
    @Test
    void keyframesOfAFileCreatedInTheRecordingComeFromTheBytesItHolds() {
        TreeState tree = new TreeState();
        tree.put(ROOT, new TreeState.Dir(0755));
        VersionWriter w = writer(tree);
        apply(w, new FsEvent(1, 1, 1, Op.CREATE, FILE, null, 0, 0, 0644, null, 0));
        Random rnd = new Random(3);
        byte[] model = new byte[0];
        int keyframes = 0;
        for (int i = 0; i < 400; i++) {
            byte[] payload = new byte[4096];
            rnd.nextBytes(payload);
            int offset = rnd.nextInt(100_000);
            model = Arrays.copyOf(model, Math.max(model.length, offset + payload.length));
            System.arraycopy(payload, 0, model, offset, payload.length);
            apply(w, FsEvent.write(2 + i, 1, FILE, offset, payload));
            for (Version v : w.pending()) {
                if (v.record().kind() == VersionRecord.Kind.KEYFRAME && v.sequence() == seq) {
                    assertArrayEquals(model, w.pendingContent().get(v.record().content()), "keyframe at write " + i);
                    keyframes++;
                }
            }
            w.pending().clear();
            w.pendingContent().clear();
        }
        assertTrue(keyframes >= 3, "keyframes: " + keyframes);
        assertEquals(0, readBacks.get(), "no keyframe needed the store");
    }

    /**
     * A file from the baseline, whose bytes the writer does not hold: its first keyframe reads it back (here from
     * a model of what the store would rebuild), the later ones come from memory.
     */
    @Test
    void aBaselineFileIsReadBackForItsFirstKeyframeOnly() {
        TreeState tree = new TreeState();
        tree.put(ROOT, new TreeState.Dir(0755));
        readBackGives = new byte[20_000];
        Arrays.fill(readBackGives, (byte) 'b');
        tree.put(FILE, new TreeState.File(new TreeState.Inode(readBackGives.length, 0644)));
        VersionWriter w = writer(tree);
        byte[] model = readBackGives.clone();
        int keyframes = 0;
        for (int i = 0; i < 200; i++) {
            byte[] payload = new byte[1024];
            Arrays.fill(payload, (byte) i);
            int offset = (i * 997) % 19_000;
            readBackGives = model.clone(); // what the store rebuilds before this write
            System.arraycopy(payload, 0, model, offset, payload.length);
            apply(w, FsEvent.write(2 + i, 1, FILE, offset, payload));
            for (Version v : w.pending()) {
                if (v.record().kind() == VersionRecord.Kind.KEYFRAME) {
                    assertArrayEquals(model, w.pendingContent().get(v.record().content()), "keyframe at write " + i);
                    keyframes++;
                }
            }
            w.pending().clear();
            w.pendingContent().clear();
        }
        assertTrue(keyframes >= 2, "keyframes: " + keyframes);
        assertEquals(1, readBacks.get());
    }
}
