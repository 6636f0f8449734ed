package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Payload capture: every way of writing bytes, checked event by event and by rebuilding the files. */
class WriteCaptureTest {

    @Test
    void writePwriteWritevPwritevAndPwritev2() throws Exception {
        Path dir = Capture.tempDir("writes");
        Capture.Run run = Capture.python(dir, """
                import os
                fd = os.open('f', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
                os.write(fd, b'hello')
                os.pwrite(fd, b'XY', 1)
                os.writev(fd, [b'ab', b'cd'])
                os.pwritev(fd, [b'12', b'345'], 20)
                os.pwritev(fd, [b'Z'], 3, os.RWF_DSYNC)
                os.write(fd, b'!')
                os.close(fd)
                """);
        Capture.assertSuccess(run);
        assertEquals(List.of(
                "CREATE f mode=640",
                "TRUNCATE f len=0",
                "WRITE f @0 \"hello\"",
                "WRITE f @1 \"XY\"",
                "WRITE f @5 \"ab\" +more",
                "WRITE f @7 \"cd\"",
                "WRITE f @20 \"12\" +more",
                "WRITE f @22 \"345\"",
                "WRITE f @3 \"Z\"",
                "WRITE f @9 \"!\""), Capture.describe(run, dir));
        Rebuild.of(run.events()).assertMatches(dir);
        for (FsEvent e : run.under(dir)) {
            assertEquals(run.pid(), e.pid(), "the python process itself (exec'd by the held sh)");
            assertTrue(e.timeNs() > run.startNs() && e.timeNs() < run.endNs(), "CLOCK_MONOTONIC at completion");
        }
    }

    @Test
    void a64MiBWriteArrivesWholeInChunks() throws Exception {
        Path dir = Capture.tempDir("big");
        Capture.Run run = Capture.python(dir, """
                import os
                data = os.urandom(64 << 20)
                fd = os.open('big', os.O_WRONLY | os.O_CREAT, 0o600)
                os.write(fd, b'head')
                assert os.write(fd, data) == len(data)
                os.close(fd)
                """);
        Capture.assertSuccess(run);
        List<FsEvent> writes = run.of(Op.WRITE).stream().filter(e -> e.pid() == run.pid()).toList();
        assertEquals(4, writes.get(0).length());
        List<FsEvent> chunks = writes.subList(1, writes.size());
        assertTrue(chunks.size() > 1, "a 64 MiB write is split into chunks");
        long offset = 4;
        for (int i = 0; i < chunks.size(); i++) {
            FsEvent c = chunks.get(i);
            assertEquals(offset, c.offset());
            assertEquals(chunks.get(0).timeNs(), c.timeNs(), "chunks of one syscall share its completion time");
            assertEquals(i < chunks.size() - 1, c.has(FsEvent.FLAG_CHUNK_MORE), "chunk " + i);
            offset += c.payload().length;
        }
        assertEquals(4 + (64L << 20), offset);
        assertEquals(0, Capture.source().droppedRecords());
        Rebuild.of(run.events()).assertMatches(dir);
    }

    @Test
    void fourProcessesAppendingAtOnce() throws Exception {
        Path dir = Capture.tempDir("append");
        String appender = Capture.PYTHON + " -B -c \"import os,sys\n"
                + "fd = os.open('log', os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)\n"
                + "for i in range(300): os.write(fd, ('p%s line %d ' % (sys.argv[1], i) + 'x' * (i % 17) + '\\n').encode())\n"
                + "\" ";
        Capture.Run run = Capture.sh(dir, "for p in 1 2 3 4; do " + appender + "$p & done; wait");
        Capture.assertSuccess(run);
        List<FsEvent> writes = run.of(Op.WRITE);
        assertEquals(1200, writes.size());
        assertEquals(4, writes.stream().map(FsEvent::pid).collect(Collectors.toSet()).size(), "four writers");
        assertTrue(writes.stream().allMatch(e -> e.has(FsEvent.FLAG_APPEND)));
        // appends never overlap and leave no gap: each lands where the file ended
        TreeMap<Long, Long> ranges = new TreeMap<>();
        writes.forEach(e -> ranges.put(e.offset(), e.length()));
        long end = 0;
        for (var r : ranges.entrySet()) {
            assertEquals(end, r.getKey(), "next append starts where the last ended");
            end += r.getValue();
        }
        assertEquals(Files.size(dir.resolve("log")), end);
        Rebuild.of(run.events()).assertMatches(dir);
    }

    @Test
    void writersSharingOneFileDescriptionGetExactOrApproximateOffsets() throws Exception {
        Path dir = Capture.tempDir("shared");
        // like make -j > log: every writer inherits the same open file, and so the same f_pos
        Capture.Run run = Capture.sh(dir, "exec > log; for p in 1 2 3; do "
                + "(for i in $(seq 400); do echo \"writer $p line $i\"; done) & done; wait");
        Capture.assertSuccess(run);
        List<FsEvent> writes = run.of(Op.WRITE);
        assertEquals(1200, writes.size());
        byte[] real = Files.readAllBytes(dir.resolve("log"));
        long exact = 0;
        for (FsEvent w : writes) {
            if (!w.has(FsEvent.FLAG_APPROXIMATE)) {
                exact++;
                byte[] at = java.util.Arrays.copyOfRange(real, (int) w.offset(), (int) w.offset() + w.payload().length);
                assertArrayEquals(w.payload(), at, "an offset not marked approximate is exact: " + w);
            }
        }
        assertTrue(exact > 0);
        if (exact == writes.size()) {
            Rebuild.of(run.events()).assertMatches(dir);
        }
    }

    @Test
    void aWritingThreadIsReportedWithItsTid() throws Exception {
        Path dir = Capture.tempDir("thread");
        Capture.Run run = Capture.python(dir, """
                import os, threading
                def work():
                    with open('t.txt', 'wb', buffering=0) as f:
                        f.write(b'from a thread')
                t = threading.Thread(target=work)
                t.start()
                t.join()
                """);
        Capture.assertSuccess(run);
        assertEquals(List.of("CREATE t.txt mode=644", "TRUNCATE t.txt len=0", "WRITE t.txt @0 \"from a thread\""),
                Capture.describe(run, dir));
        FsEvent w = run.of(Op.WRITE).get(0);
        assertEquals(run.pid(), w.pid());
        assertNotEquals(w.pid(), w.tid(), "the write came from the second thread");
        Rebuild.of(run.events()).assertMatches(dir);
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aGrandchildThroughShAndADaemonizedProcessAreFollowed() throws Exception {
        Path dir = Capture.tempDir("tree");
        Capture.Run run = Capture.sh(dir,
                "sh -c 'echo grandchild > g.txt; true'; ( (sleep 0.3; echo daemon > d.txt) & ) ; exit 0");
        Capture.assertSuccess(run);
        // the double-forked writer outlives the command: wait for its write
        List<FsEvent> events = new java.util.ArrayList<>(run.events());
        while (events.stream().noneMatch(e -> e.op() == Op.WRITE && Capture.str(e.path()).endsWith("/d.txt"))) {
            Capture.source().poll(events::add, java.time.Duration.ofMillis(50));
        }
        Capture.Run all = new Capture.Run(0, events, run.startNs(), System.nanoTime(), run.pid());
        assertEquals(List.of("CREATE g.txt mode=644", "TRUNCATE g.txt len=0", "WRITE g.txt @0 \"grandchild\n\"",
                "CREATE d.txt mode=644", "TRUNCATE d.txt len=0", "WRITE d.txt @0 \"daemon\n\""),
                Capture.describe(all, dir));
        Set<Integer> pids = all.under(dir).stream().map(FsEvent::pid).collect(Collectors.toSet());
        assertTrue(!pids.contains(run.pid()), "both writers are descendants, not the command itself");
        Rebuild.of(events).assertMatches(dir);
    }

    @Test
    void ddWithSmallBlocks() throws Exception {
        Path dir = Capture.tempDir("dd");
        Files.write(dir.resolve("src"), new java.util.Random(7).ints(300_000).mapToObj(Integer::toString)
                .collect(Collectors.joining(",")).getBytes());
        Capture.Run run = Capture.sh(dir, "dd if=src of=dst bs=4k status=none && dd if=src of=dst bs=1000 seek=3 conv=notrunc status=none");
        Capture.assertSuccess(run);
        Rebuild r = Rebuild.of(run.events());
        assertArrayEquals(Files.readAllBytes(dir.resolve("dst")), r.content(dir.resolve("dst")));
        assertTrue(run.of(Op.WRITE).size() > 200);
    }
}
