package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ring's data area is mapped once ({@link RingBuffer}): records whose body runs past its end are put
 * together by the reader. Many laps of a 64 KiB ring, drained in step with the writer so that nothing is
 * dropped, bring every write's bytes back exactly.
 */
class RingWrapTest {

    @Test
    void recordsWrappingAroundTheRealRingComeBackExact() throws Exception {
        Capture.source(); // skips without eBPF
        Path dir = Capture.tempDir("wrap");
        int rounds = 40;
        int perRound = 8;
        try (EbpfEventSource small = new EbpfEventSource(new EbpfConfig(64 << 10, 0, 4096, 4))) {
            small.start();
            // the payload of write i: (i * 37) % 3000 + 1 bytes of (i + k) mod 251; a round (at most 24 KB)
            // waits for a line, so the ring never holds more than one round
            Process p = new ProcessBuilder("sh", "-c", "read _ && exec \"$@\"", "sh", Capture.PYTHON, "-B", "-c", """
                    import os, sys
                    fd = os.open('f', os.O_WRONLY | os.O_CREAT, 0o644)
                    for r in range(%d):
                        for j in range(%d):
                            i = r * %d + j
                            os.write(fd, bytes((i + k) %% 251 for k in range((i * 37) %% 3000 + 1)))
                        sys.stdout.write('round\\n')
                        sys.stdout.flush()
                        sys.stdin.readline()
                    os.close(fd)
                    """.formatted(rounds, perRound, perRound)).directory(dir.toFile()).start();
            small.track((int) p.pid());
            List<FsEvent> events = new ArrayList<>();
            try (OutputStream stdin = p.getOutputStream();
                 BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                stdin.write('\n');
                stdin.flush();
                for (int r = 0; r < rounds; r++) {
                    assertEquals("round", stdout.readLine());
                    while (small.poll(events::add, Duration.ZERO) > 0) {
                        // the round's writes
                    }
                    stdin.write('\n');
                    stdin.flush();
                }
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            while (small.poll(events::add, Duration.ofMillis(20)) > 0) {
                // the close
            }
            assertEquals(0, small.droppedRecords());
            assertTrue(small.wrappedRecords() > 0, "some record ran past the end of the data area");

            String f = dir.resolve("f").toString();
            List<FsEvent> writes = events.stream().filter(e -> e.op() == Op.WRITE && e.pathString().equals(f)).toList();
            assertEquals(rounds * perRound, writes.size());
            long offset = 0;
            for (int i = 0; i < writes.size(); i++) {
                byte[] expected = new byte[(i * 37) % 3000 + 1];
                for (int k = 0; k < expected.length; k++) {
                    expected[k] = (byte) ((i + k) % 251);
                }
                assertArrayEquals(expected, writes.get(i).payload(), "write " + i);
                assertEquals(offset, writes.get(i).offset(), "write " + i);
                offset += expected.length;
            }
        }
    }
}
