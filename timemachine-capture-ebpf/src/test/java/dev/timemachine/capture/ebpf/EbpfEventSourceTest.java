package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.NativeException;
import dev.timemachine.api.spi.EventSourceProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Life cycle, configuration and discovery of the source. */
class EbpfEventSourceTest {

    @Test
    void foundByNameThroughServiceLoader() {
        List<EventSourceProvider> providers = ServiceLoader.load(EventSourceProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("ebpf")).toList();
        assertEquals(1, providers.size());
        try (EventSource s = providers.get(0).create(Map.of("ringBufferBytes", "1048576", "unknown", "x"))) {
            assertEquals("ebpf", s.name());
            assertEquals(s.isAvailable(), s.unavailabilityCause() == null);
        }
    }

    @Test
    void malformedConfigurationIsRefusedWithTheKeyAndTheRule() {
        EbpfEventSourceProvider p = new EbpfEventSourceProvider();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.create(Map.of("ringBufferBytes", "1000")));
        assertTrue(e.getMessage().contains("ringBufferBytes must be a power of two"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.create(Map.of("chunkBytes", "lots")));
        assertTrue(e.getMessage().startsWith("chunkBytes must be a whole number"), e.getMessage());
    }

    @Test
    void misuseFailsWithIllegalState() {
        Capture.source(); // skips without eBPF
        EbpfEventSource s = new EbpfEventSource(new EbpfConfig(1 << 20, 1 << 16, 1 << 16, 4));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.track(1));
        assertTrue(e.getMessage().contains("not started"), e.getMessage());
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, s::start);
        assertThrows(IllegalStateException.class, () -> s.poll(ev -> { }, Duration.ZERO));
    }

    @Test
    void closeDetachesEverything() throws Exception {
        Capture.source();
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fdinfo")));
        long before = bpfLinksOfThisProcess();
        EbpfEventSource s = new EbpfEventSource(new EbpfConfig(1 << 20, 1 << 16, 1 << 16, 4));
        s.start();
        assertEquals(before + 7, bpfLinksOfThisProcess(),
                "sys_enter, sys_exit, fork, exec, exit, io_uring submission and completion attached");
        assertEquals(0, s.droppedRecords());
        assertEquals(new EbpfEventSourceProvider().create(Map.of()).name(), s.name());
        s.close();
        assertEquals(before, bpfLinksOfThisProcess(), "nothing left attached");
        assertArrayEquals(new long[0], s.droppedRecordsPerCpu());
    }

    @Test
    void aRefusedProgramIsReportedWithErrnoAndTheVerifierLog() {
        Capture.source();
        NativeException e = assertThrows(NativeException.class,
                () -> BpfObject.load(NativeLibraries.get(), 1 << 20, "refused.bpf.o"));
        assertTrue(e.errno() == 22 || e.errno() == 13, "EINVAL or EACCES: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("the kernel refused the capture's BPF programs (errno "), e.getMessage());
        assertTrue(e.detail().contains("invalid variable-offset read from stack"), e.detail());
    }

    @Test
    void pollWaitsForItsTimeoutWhenNothingArrives() {
        EbpfEventSource s = Capture.source();
        long t0 = System.nanoTime();
        int n = s.poll(ev -> { }, Duration.ofMillis(30));
        long waited = System.nanoTime() - t0;
        assertEquals(0, n);
        assertTrue(waited >= 25_000_000L, "returned after " + waited + " ns, before its timeout");
    }

    /**
     * A consumer told to stop does not sleep out its poll: a wakeup ends the poll under way, or the next one when
     * none is waiting. Either poll would otherwise wait an hour; the wakeup is used up by the poll it ends.
     */
    @Test
    @Timeout(120)
    void aWakeupEndsThePollUnderWayOrTheNextOne() throws Exception {
        EbpfEventSource s = Capture.source();
        s.wakeup();
        s.poll(ev -> { }, Duration.ofHours(1));
        long t0 = System.nanoTime();
        s.poll(ev -> { }, Duration.ofMillis(30));
        assertTrue(System.nanoTime() - t0 >= 25_000_000L, "a spent wakeup ends no later poll");
        Thread waker = new Thread(() -> {
            try {
                Thread.sleep(100); // most likely while the poll waits; before it, the poll returns at once
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            s.wakeup();
        });
        waker.start();
        s.poll(ev -> { }, Duration.ofHours(1));
        waker.join();
    }

    /**
     * A consumer that fell behind gets the whole backlog from one poll, even when it is more than one drain
     * (65,536 records): its callers publish a watermark after each poll, and an event left behind in the ring
     * would arrive after it.
     */
    @Test
    void onePollDeliversEverythingThatArrivedBeforeIt() throws Exception {
        Capture.source(); // skips without eBPF
        Path dir = Capture.tempDir("backlog");
        try (EbpfEventSource s = new EbpfEventSource(new EbpfConfig(64 << 20, 32 << 20, 4096, 4))) {
            s.start();
            Process p = new ProcessBuilder("sh", "-c", "read _ && exec \"$@\"", "sh", Capture.PYTHON, "-B", "-c", """
                    import os
                    fd = os.open('f', os.O_WRONLY | os.O_CREAT, 0o644)
                    for i in range(100000):
                        os.write(fd, b'x')
                    """).directory(dir.toFile()).start();
            s.track((int) p.pid());
            try (var stdin = p.getOutputStream()) {
                stdin.write('\n');
            }
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            Thread.sleep(50);
            long[] writes = {0};
            s.poll(e -> {
                if (e.op() == dev.timemachine.api.Op.WRITE) {
                    writes[0]++;
                }
            }, Duration.ZERO);
            assertEquals(100_000, writes[0]);
            assertEquals(0, s.droppedRecords());
        }
    }

    @Test
    void perCpuDropCountersCoverEveryPossibleCpu() {
        long[] perCpu = Capture.source().droppedRecordsPerCpu();
        assertEquals(NativeLibraries.get().bpf.libbpf_num_possible_cpus(), perCpu.length);
        assertEquals(Capture.source().droppedRecords(), Stream.of(perCpu).flatMapToLong(java.util.Arrays::stream).sum());
    }

    /** BPF links held by this JVM, from /proc/self/fdinfo ("link_type:" appears only for bpf links). */
    private static long bpfLinksOfThisProcess() throws IOException {
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fdinfo"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readString(fd, StandardCharsets.UTF_8).contains("link_type:")) {
                        n++;
                    }
                } catch (IOException gone) {
                    // the fd closed while we listed
                }
            }
        }
        return n;
    }
}
