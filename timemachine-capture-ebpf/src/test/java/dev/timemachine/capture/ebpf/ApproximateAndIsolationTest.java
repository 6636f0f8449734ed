package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the capture cannot see byte for byte, and what it must not see at all. */
class ApproximateAndIsolationTest {

    @Test
    void aSharedWritableMmapIsReportedAsReread() throws Exception {
        Path dir = Capture.tempDir("mmap");
        Capture.Run run = Capture.python(dir, """
                import os, mmap
                fd = os.open('m', os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
                os.ftruncate(fd, 8192)
                mm = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
                mm[100:105] = b'hello'
                mm.flush()
                mm.close()
                ro = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ)
                ro.close()
                os.close(fd)
                fd = os.open('kept', os.O_RDWR | os.O_CREAT, 0o644)
                os.ftruncate(fd, 4096)
                kept = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0)
                kept[0:4] = b'last'
                os._exit(0)   # no munmap: the mapping goes away with the process
                """);
        Capture.assertSuccess(run);
        assertEquals(List.of(
                "CREATE m mode=644",
                "TRUNCATE m len=0",
                "TRUNCATE m len=8192",
                "REREAD m @0 len=8192 +approx",
                "REREAD m @0 len=8192 +approx +synced",
                "REREAD m @0 len=8192 +synced",
                "CREATE kept mode=644",
                "TRUNCATE kept len=4096",
                "REREAD kept @0 len=4096 +approx",
                "REREAD kept @0 len=0 +synced"), Capture.describe(run, dir),
                "mmap, then msync (still mapped: approximate after it), munmap, and at exit every file still mapped (m"
                        + " was unmapped, and re-read then), those three where the stores are in the file; not the"
                        + " read-only map");
        FsEvent atExit = run.under(dir).get(run.under(dir).size() - 1);
        assertTrue(atExit.timeNs() > run.under(dir).get(8).timeNs(), "the exit re-read comes after the writes");
    }

    @Test
    void copyFileRangeAndSendfileAreCopiesWithTheirRangesAndASpliceFromAPipeIsAReread() throws Exception {
        Path dir = Capture.tempDir("copy");
        Files.write(dir.resolve("src"), "0123456789".repeat(100).getBytes(StandardCharsets.UTF_8));
        Capture.Run run = Capture.python(dir, """
                import os
                src = os.open('src', os.O_RDONLY)
                dst = os.open('dst', os.O_WRONLY | os.O_CREAT, 0o644)
                assert os.copy_file_range(src, dst, 100) == 100
                assert os.sendfile(dst, src, 0, 50) == 50
                r, w = os.pipe()
                os.write(w, b'piped')
                assert os.splice(r, dst, 5, offset_dst=500) == 5
                """);
        Capture.assertSuccess(run);
        assertEquals(List.of(
                "CREATE dst mode=644",
                "COPY dst -> src @0 from=0 len=100",
                "COPY dst -> src @100 from=0 len=50",
                "REREAD dst @500 len=5 +approx"), Capture.describe(run, dir));
    }

    @Test
    void writesToAnUnlinkedFileAreNotChangesToTheTree() throws Exception {
        Path dir = Capture.tempDir("tmpfile");
        Capture.Run run = Capture.python(dir, """
                import os
                fd = os.open('scratch', os.O_RDWR | os.O_CREAT, 0o600)
                os.unlink('scratch')
                os.write(fd, b'invisible')
                """);
        Capture.assertSuccess(run);
        assertEquals(List.of("CREATE scratch mode=600", "UNLINK scratch"), Capture.describe(run, dir));
    }

    @Test
    void anUnrelatedProcessWritingAlongsideNeverAppears() throws Exception {
        Path dir = Capture.tempDir("isolation");
        Process unrelated = new ProcessBuilder(Capture.PYTHON, "-B", "-c", """
                import os, time
                end = time.time() + 3
                i = 0
                while time.time() < end:
                    with open('u-%d.txt' % (i % 50), 'w') as f: f.write('unrelated %d' % i)
                    i += 1
                """).directory(dir.toFile()).start();
        try {
            Capture.Run run = Capture.sh(dir, "for i in $(seq 1 40); do echo tracked $i > t-$i.txt; sleep 0.01; done");
            Capture.assertSuccess(run);
            Files.writeString(dir.resolve("jvm.txt"), "the recorder's own JVM is not tracked either");
            List<FsEvent> events = run.under(dir);
            assertEquals(120, events.size(), "CREATE, TRUNCATE, WRITE for each t-*.txt");
            for (FsEvent e : events) {
                String name = Path.of(e.pathString()).getFileName().toString();
                assertTrue(name.startsWith("t-"), "only the tracked tree's files: " + e);
                assertTrue(e.pid() != unrelated.pid() && e.pid() != ProcessHandle.current().pid(), e.toString());
            }
        } finally {
            unrelated.destroy();
            unrelated.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void eventTimesOrderOperationsAroundAClockRead() throws Exception {
        Path dir = Capture.tempDir("time");
        Capture.Run run = Capture.python(dir, """
                import os, time
                fd = os.open('f', os.O_WRONLY | os.O_CREAT, 0o644)
                os.write(fd, b'a')
                t = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
                os.write(fd, b'b')
                with open('t', 'w') as f: f.write(str(t))
                """);
        Capture.assertSuccess(run);
        long t = Long.parseLong(Files.readString(dir.resolve("t")));
        List<FsEvent> writes = run.of(Op.WRITE).stream().filter(e -> e.pathString().endsWith("/f")).toList();
        assertTrue(writes.get(0).timeNs() <= t && t < writes.get(1).timeNs(),
                "the first write completed before t and the second after: " + writes + " t=" + t);
    }
}
