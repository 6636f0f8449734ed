package dev.timemachine.bench.capture;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import dev.timemachine.capture.ebpf.EbpfEventSourceProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Capture overhead: each workload alone, then under the eBPF capture with a consumer that only decodes
 * and counts (no journal), in one run. Prints one line per workload: median times, slowdown, events/s,
 * dropped records.
 *
 * <p>Usage (as root): {@code java -cp benchmarks/target/benchmarks.jar dev.timemachine.bench.capture.CaptureBenchmark
 * [--reps N] [--dir DIR] [--dd-count 524288] [--small-writes 1000000] [--command SHELL-COMMAND]...}
 *
 * <p>{@code --command} (repeatable) measures that shell command instead of the two synthetic workloads, for
 * example an end-to-end workload: {@code --command 'sh benchmarks/e2e/workload.sh setup sqlite /tmp/r /tmp/i &&
 * sh benchmarks/e2e/workload.sh run sqlite /tmp/r /tmp/i'}. It then tells what the capture alone costs that
 * workload, against what {@code record} costs it in the end-to-end harness.
 */
public final class CaptureBenchmark {
    private final Path dir;
    private final int reps;

    private CaptureBenchmark(Path dir, int reps) {
        this.dir = dir;
        this.reps = reps;
    }

    public static void main(String[] args) throws Exception {
        int reps = 3;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        long ddCount = 512 * 1024;
        long smallWrites = 1_000_000;
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--dd-count" -> ddCount = Long.parseLong(args[++i]);
                case "--small-writes" -> smallWrites = Long.parseLong(args[++i]);
                case "--command" -> commands.add(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; accepted: --reps N, --dir DIR, --dd-count N, --small-writes N, --command CMD");
                    System.exit(2);
                }
            }
        }
        Path work = Files.createTempDirectory(dir, "tm-capture-bench");
        CaptureBenchmark b = new CaptureBenchmark(work, reps);
        Path writer = b.compileSmallWriter();
        try {
            try (EventSource probe = new EbpfEventSourceProvider().create(Map.of())) {
                if (!probe.isAvailable()) {
                    System.err.println("eBPF capture unavailable: " + probe.unavailabilityCause());
                    System.exit(1);
                }
            }
            System.out.printf(Locale.ROOT, "%-34s %9s %9s %8s %12s %10s %8s%n",
                    "workload", "alone s", "capture s", "ratio", "events/s", "MB/s", "dropped");
            for (String command : commands) {
                b.measure(command, List.of("sh", "-c", command));
            }
            if (!commands.isEmpty()) {
                return;
            }
            b.measure("dd bs=4k count=" + ddCount + " (" + (ddCount * 4096 >> 20) + " MiB)",
                    List.of("dd", "if=/dev/zero", "of=" + work.resolve("out"), "bs=4k", "count=" + ddCount,
                            "status=none"));
            b.measure(smallWrites + " x 64-byte write()",
                    List.of(writer.toString(), work.resolve("out").toString(), Long.toString(smallWrites)));
        } finally {
            Files.deleteIfExists(work.resolve("out"));
            Files.deleteIfExists(writer);
            Files.deleteIfExists(work.resolve("writer.c"));
            Files.deleteIfExists(work);
        }
    }

    /**
     * Alternates runs alone and captured. The programs are loaded only for the captured run: while they are
     * attached, every syscall on the machine passes through them, so an "alone" run next to a loaded capture
     * would already pay part of its cost.
     */
    private void measure(String name, List<String> cmd) throws Exception {
        double[] alone = new double[reps];
        double[] captured = new double[reps];
        long events = 0;
        long bytes = 0;
        long dropped = 0;
        run(null, cmd); // warm the page cache and the binaries
        for (int i = 0; i < reps; i++) {
            alone[i] = run(null, cmd).seconds;
            Result r;
            try (EventSource source = new EbpfEventSourceProvider().create(Map.of())) {
                source.start();
                r = run(source, cmd);
            }
            captured[i] = r.seconds;
            events += r.events;
            System.err.printf(Locale.ROOT, "  %s: alone %.3f s, captured %.3f s, %d events, %d payload bytes, %d dropped%n",
                    name, alone[i], r.seconds, r.events, r.bytes, r.dropped);
            bytes += r.bytes;
            dropped += r.dropped;
        }
        double a = median(alone);
        double c = median(captured);
        double capturedTotal = Arrays.stream(captured).sum();
        System.out.printf(Locale.ROOT, "%-34s %9.3f %9.3f %7.2fx %12.0f %10.0f %8d%n", name, a, c, c / a,
                events / capturedTotal, bytes / capturedTotal / 1e6, dropped);
    }

    private record Result(double seconds, long events, long bytes, long dropped) {
    }

    /** Runs cmd once; with a source, held until tracked, while a consumer thread decodes and counts. */
    private Result run(EventSource source, List<String> cmd) throws Exception {
        Files.deleteIfExists(dir.resolve("out"));
        AtomicLong events = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread consumer = null;
        if (source != null) {
            consumer = new Thread(() -> {
                while (!stop.get()) {
                    source.poll(e -> count(e, events, bytes), Duration.ofMillis(100));
                }
                while (source.poll(e -> count(e, events, bytes), Duration.ZERO) > 0) {
                    // drain what the finished workload left
                }
            }, "capture-consumer");
            consumer.start();
        }
        List<String> argv = new ArrayList<>(List.of("sh", "-c", "read _ && exec \"$@\"", "sh"));
        argv.addAll(cmd);
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (source != null) {
            source.track((int) p.pid());
        }
        long t0 = System.nanoTime();
        try (OutputStream release = p.getOutputStream()) {
            release.write('\n');
        }
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("workload failed: " + cmd);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (consumer != null) {
            stop.set(true);
            consumer.join();
        }
        Files.deleteIfExists(dir.resolve("out")); // before writeback, so runs do not slow each other
        long dropped = source == null ? 0 : source.droppedRecords(); // a fresh source per captured run
        return new Result(seconds, events.get(), bytes.get(), dropped);
    }

    private static void count(FsEvent e, AtomicLong events, AtomicLong bytes) {
        if (e.op() == Op.WRITE) {
            bytes.addAndGet(e.payload().length);
        }
        events.incrementAndGet();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** A C program that makes N write() calls of 64 bytes: a shell loop would measure the shell. */
    private Path compileSmallWriter() throws IOException, InterruptedException {
        Path src = dir.resolve("writer.c");
        Path bin = dir.resolve("writer");
        Files.writeString(src, """
                #include <fcntl.h>
                #include <stdlib.h>
                #include <string.h>
                #include <unistd.h>
                int main(int argc, char **argv) {
                    char buf[64];
                    long n = atol(argv[2]);
                    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
                    if (fd < 0) return 1;
                    memset(buf, 'x', sizeof buf);
                    for (long i = 0; i < n; i++)
                        if (write(fd, buf, sizeof buf) != sizeof buf) return 1;
                    return close(fd);
                }
                """);
        Process cc = new ProcessBuilder("gcc", "-O2", "-o", bin.toString(), src.toString()).inheritIO().start();
        if (cc.waitFor() != 0) {
            throw new IllegalStateException("gcc failed: the small-write workload needs gcc");
        }
        return bin;
    }
}
