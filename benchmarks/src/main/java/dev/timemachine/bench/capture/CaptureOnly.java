package dev.timemachine.bench.capture;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import dev.timemachine.capture.ebpf.EbpfEventSourceProvider;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one command under the eBPF capture with a consumer that only decodes and counts, like
 * {@code timemachine record} without its journal, compaction and baseline: a third mode, beside alone and
 * recorded, for end-to-end runs that separate what the kernel side costs a workload from what the recorder's
 * user-space side adds. Exits with the command's exit code; prints events, payload bytes and drops to stderr.
 *
 * <p>Usage (as root): {@code java -cp benchmarks/target/benchmarks.jar dev.timemachine.bench.capture.CaptureOnly CMD [ARGS...]}
 */
public final class CaptureOnly {
    private CaptureOnly() {
    }

    public static void main(String[] args) throws Exception {
        AtomicLong events = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        int exit;
        long dropped;
        try (EventSource source = new EbpfEventSourceProvider().create(Map.of())) {
            source.start();
            Thread consumer = new Thread(() -> {
                while (!stop.get()) {
                    source.poll(e -> count(e, events, bytes), Duration.ofMillis(5));
                }
                while (source.poll(e -> count(e, events, bytes), Duration.ZERO) > 0) {
                    // drain what the finished command left
                }
            }, "capture-consumer");
            consumer.start();
            List<String> argv = new ArrayList<>(List.of("sh", "-c", "read _ && exec \"$@\"", "sh"));
            argv.addAll(List.of(args));
            Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            source.track((int) p.pid());
            try (OutputStream release = p.getOutputStream()) {
                release.write('\n');
            }
            exit = p.waitFor();
            stop.set(true);
            consumer.join();
            dropped = source.droppedRecords();
        }
        System.err.printf("capture only: %d events, %d payload bytes, %d dropped%n", events.get(), bytes.get(), dropped);
        System.exit(exit);
    }

    private static void count(FsEvent e, AtomicLong events, AtomicLong bytes) {
        if (e.op() == Op.WRITE) {
            bytes.addAndGet(e.payload().length);
        }
        events.incrementAndGet();
    }
}
