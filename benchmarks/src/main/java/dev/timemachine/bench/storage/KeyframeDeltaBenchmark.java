package dev.timemachine.bench.storage;

import dev.timemachine.api.ContentHash;
import dev.timemachine.core.StoreTesting;
import dev.timemachine.core.TimeMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Keyframes of a small file, stored whole (as the compactor stores them; content this small is below the chunked
 * store's threshold, so chunks would share nothing) against stored whole and then packed, as gc packs them, as a
 * bsdiff patch to the keyframe before it (docs/storage.md, "Deltas"): the time to store one, and, printed at the
 * end of each iteration, the bytes it takes.
 *
 * <p>Each call stores the file's next version: the previous one with {@code changed} bytes (per mille of the
 * file) changed at scattered offsets, or wholly new bytes for {@code changed=1000}, where the patch is tried and
 * thrown away. The edit is made inside the timed call, the same for both codecs. Engine: RocksDB; a fresh state
 * dir per iteration.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class KeyframeDeltaBenchmark {
    @Param({"whole", "delta"})
    public String codec;
    @Param({"4096", "16384", "61440"})
    public int size;
    /** Bytes changed between keyframes, per mille of the file; 1000: wholly new bytes. */
    @Param({"10", "100", "1000"})
    public int changed;

    private Path dir;
    private TimeMachine tm;
    private Random random;
    private byte[] current;
    private ContentHash currentHash;
    private long stored;
    private final Set<ContentHash> bases = new HashSet<>();

    @Setup(Level.Iteration)
    public void open() throws IOException {
        Path base = Path.of(System.getProperty("tm.bench.dir", System.getProperty("java.io.tmpdir")));
        dir = Files.createTempDirectory(Files.createDirectories(base), "tm-delta-");
        tm = TimeMachine.create(dir.resolve("state"), TimeMachine.Options.defaults().withEngine("rocks"));
        random = new Random(42);
        bases.clear();
        current = new byte[size];
        random.nextBytes(current);
        currentHash = StoreTesting.putKeyframe(tm, current, null, bases);
        stored = 0;
    }

    @Benchmark
    public ContentHash storeNextKeyframe() {
        byte[] next;
        if (changed >= 1000) {
            next = new byte[size];
            random.nextBytes(next);
        } else {
            next = current.clone();
            for (int i = 0, n = Math.max(1, size * changed / 1000); i < n; i++) {
                next[random.nextInt(size)] ^= (byte) (1 + random.nextInt(255));
            }
        }
        ContentHash h = StoreTesting.putKeyframe(tm, next, codec.equals("delta") ? currentHash : null, bases);
        current = next;
        currentHash = h;
        stored++;
        return h;
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        long bytes = StoreTesting.contentValueBytes(tm);
        System.out.printf("%n    [%s size=%d changed=%d‰] %d keyframes, %.0f bytes stored per keyframe (%.1f%% of the file)%n",
                codec, size, changed, stored + 1, (double) bytes / (stored + 1), 100.0 * bytes / (stored + 1) / size);
        tm.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
