package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A ring buffer nobody drains overflows: the loss is counted per CPU, in total and per file. */
class DropAccountingTest {

    @Test
    void anOverflowIsCountedAndReportedAsLost() throws Exception {
        Capture.source(); // skips without eBPF
        Path dir = Capture.tempDir("drops");
        try (EbpfEventSource tiny = new EbpfEventSource(new EbpfConfig(64 << 10, 0, 4096, 4))) {
            tiny.start();
            Process p = new ProcessBuilder("sh", "-c", "read _ && exec \"$@\"", "sh", Capture.PYTHON, "-B", "-c", """
                    import os, sys
                    fd = os.open('f', os.O_WRONLY | os.O_CREAT, 0o644)
                    gd = os.open('g', os.O_WRONLY | os.O_CREAT, 0o644)
                    for i in range(256):
                        os.write(fd, bytes([i]) * 4096)
                        os.write(gd, bytes([i]) * 4096)
                    sys.stdout.write('written\\n')
                    sys.stdout.flush()
                    sys.stdin.readline()
                    os.write(fd, b'after')
                    os.close(gd)
                    """).directory(dir.toFile()).start();
            tiny.track((int) p.pid());
            List<FsEvent> events = new ArrayList<>();
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write('\n');
                stdin.flush();
                // the writer says when its 512 writes are done
                assertEquals("written", new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8)).readLine());
                while (tiny.poll(events::add, Duration.ZERO) > 0) {
                    // empty the ring, so that the next write can report its file's loss
                }
                stdin.write('\n');
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            while (tiny.poll(events::add, Duration.ofMillis(20)) > 0) {
                // the last write and its LOST record
            }
            long dropped = tiny.droppedRecords();
            assertTrue(dropped > 400, "64 KiB hold about 15 of the 512 writes of 4 KiB: dropped " + dropped);
            long[] perCpu = tiny.droppedRecordsPerCpu();
            assertEquals(dropped, java.util.Arrays.stream(perCpu).sum());

            String f = dir.resolve("f").toString();
            String g = dir.resolve("g").toString();
            List<FsEvent> lost = events.stream().filter(e -> e.op() == Op.LOST).toList();
            assertEquals(dropped, lost.stream().filter(e -> e.path().length == 0).mapToLong(FsEvent::length).sum(),
                    "the total, with no path");
            long lostF = lost.stream().filter(e -> e.pathString().equals(f)).mapToLong(FsEvent::length).sum();
            long lostG = lost.stream().filter(e -> e.pathString().equals(g)).mapToLong(FsEvent::length).sum();
            assertTrue(lostF > 0 && lostG > 0, "f's loss comes with its next write, g's with its close");
            assertEquals(dropped, lostF + lostG, "every dropped record was a write to f or g");
            assertTrue(lost.stream().allMatch(e -> e.has(FsEvent.FLAG_APPROXIMATE)));
            assertEquals(Map.of(f, lostF, g, lostG), tiny.lostRecordsByPath());
            FsEvent after = events.stream().filter(e -> e.op() == Op.WRITE && e.pathString().equals(f))
                    .reduce((a, b) -> b).orElseThrow();
            assertEquals("after", new String(after.payload()));
            assertEquals(256 * 4096, after.offset());
            assertEquals(512 - dropped, events.stream().filter(e -> e.op() == Op.WRITE).count() - 1);
        }
    }

}
