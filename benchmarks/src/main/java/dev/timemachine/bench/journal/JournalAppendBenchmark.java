package dev.timemachine.bench.journal;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Journal;
import dev.timemachine.core.TimeMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Stage 1 of docs/architecture.md §5 in isolation: one thread appends write events, each encoded to 128 bytes, to the journal
 * of a fresh state dir in batches of 1,000, as the recorder does. Engines are looked up by name through
 * {@link TimeMachine}; {@code filechannel} is the ceiling, the same journal and codec over a plain append to one file.
 *
 * <p>The store is not reset between iterations, so later iterations measure a store that keeps growing, with
 * its flushes and compactions running: the sustained rate. The defaults (2 s of warm-up, then 5 x 2 s) append
 * about 20M events on RocksDB, the volume docs/architecture.md §10 states its target for. The trial's totals (events,
 * seconds, CPU per event, bytes on disk) are printed at the end. Scores are events per second. The state dir goes under {@code -Dtm.bench.dir}
 * (default {@code java.io.tmpdir}) and is deleted afterwards, unless {@code -Dtm.bench.keep=true}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 5, time = 2)
public class JournalAppendBenchmark {

    static final int BATCH = 1_000;
    /** 46 bytes of fixed fields + an 18-byte path + 64 bytes written = a 128-byte encoded event. */
    static final int PAYLOAD = 64;
    static final int DISTINCT_PAYLOADS = 4096;

    @Param({"rocks", "lmdb", "filechannel"})
    public String engine;

    private Path dir;
    private TimeMachine store;
    private Journal journal;
    private final List<FsEvent> batch = new ArrayList<>(BATCH);
    private byte[][] paths;
    private byte[][] payloads;
    private long timeNs;
    private long offset;
    private long appended;
    private long startNs;
    private long startCpuNs;

    @Setup(Level.Trial)
    public void open() throws IOException {
        Path base = Path.of(System.getProperty("tm.bench.dir", System.getProperty("java.io.tmpdir")));
        dir = Files.createTempDirectory(Files.createDirectories(base), "journal-" + engine + "-");
        TimeMachine.Options options = TimeMachine.Options.defaults();
        store = TimeMachine.create(dir, engine.equals("filechannel") ? options.withEngine(new FileChannelEngine())
                : options.withEngine(engine));
        journal = store.store().journal(1);
        paths = new byte[100][];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = String.format("/work/tree/file-%02d", i).getBytes(StandardCharsets.UTF_8);
        }
        payloads = textLines(new Random(42));
        timeNs = System.nanoTime();
        startNs = System.nanoTime();
        startCpuNs = processCpuNs();
    }

    /**
     * Lines of text-like bytes, distinct enough that compression sees the entropy of real output rather than
     * one repeated payload (the same line recurs only every 4,096 events, far outside a 4 KiB block).
     */
    private static byte[][] textLines(Random random) {
        String[] words = {"the", "build", "test", "error", "warning", "compile", "module", "class", "target",
            "INFO", "DEBUG", "passed", "failed", "java", "src", "main", "=", "->", "{", "}", "ms", "0x"};
        byte[][] lines = new byte[DISTINCT_PAYLOADS][];
        for (int i = 0; i < lines.length; i++) {
            StringBuilder line = new StringBuilder();
            while (line.length() < PAYLOAD) {
                line.append(random.nextInt(4) == 0 ? Integer.toString(random.nextInt(100_000))
                        : words[random.nextInt(words.length)]).append(' ');
            }
            lines[i] = line.substring(0, PAYLOAD - 1).concat("\n").getBytes(StandardCharsets.US_ASCII);
        }
        return lines;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long append() {
        batch.clear();
        for (int i = 0; i < BATCH; i++) {
            long n = appended + i;
            timeNs += 97; // strictly increasing, as events from one CPU are
            batch.add(FsEvent.write(timeNs, 4242, paths[(int) (n % paths.length)], offset,
                    payloads[(int) (n % DISTINCT_PAYLOADS)]));
            offset += PAYLOAD;
        }
        appended += BATCH;
        return journal.append(batch);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        double seconds = (System.nanoTime() - startNs) / 1e9;
        double cpuMicros = (processCpuNs() - startCpuNs) / 1e3;
        long bytes = sizeOnDisk(dir);
        store.close();
        System.out.printf("%n[journal-append] engine=%s events=%,d in %.1f s (%,.0f events/s over the whole trial,"
                        + " warm-up included); CPU %.2f us/event (all threads of the JVM, the engine's included);"
                        + " on disk %,.1f MB = %.1f B/event%n",
                engine, appended, seconds, appended / seconds, cpuMicros / Math.max(1, appended), bytes / 1e6,
                (double) bytes / Math.max(1, appended));
        if (Boolean.getBoolean("tm.bench.keep")) {
            System.out.println("[journal-append] kept " + dir);
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** CPU time of the whole process: the JMH worker, JIT, GC and the engine's native background threads. */
    private static long processCpuNs() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long sizeOnDisk(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
