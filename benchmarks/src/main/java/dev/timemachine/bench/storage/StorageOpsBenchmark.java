package dev.timemachine.bench.storage;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.ContentStore;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Journal;
import dev.timemachine.api.Op;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionIndex;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.core.CompactionRig;
import dev.timemachine.core.ExportSummary;
import dev.timemachine.core.TimeMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
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
 * Every storage operation the product does, engine by engine ({@code rocks}, {@code lmdb}), each as its own
 * benchmark method over the public contracts: the stores are reached through
 * {@code TimeMachine.create(dir, Options.defaults().withEngine(engine)).store()} (docs/architecture.md §4), stage 2
 * through core's {@link CompactionRig} (test-jar), export through {@link TimeMachine#export}.
 *
 * <table>
 *   <caption>What each method measures, and its unit</caption>
 *   <tr><th>method</th><th>operation</th><th>score</th></tr>
 *   <tr><td>{@link #journalAppend128B}</td><td>{@code Journal.append}, batches of 1,000 writes of 128-byte events</td><td>events/s</td></tr>
 *   <tr><td>{@link #journalAppend4KiB}</td><td>{@code Journal.append}, batches of 1,000 writes of distinct 4 KiB payloads (payload log)</td><td>events/s</td></tr>
 *   <tr><td>{@link #contentPutDedupMiss}</td><td>{@code ContentStore.put} of new 4 KiB content</td><td>puts/s</td></tr>
 *   <tr><td>{@link #contentPutDedupHit}</td><td>{@code ContentStore.put} of 4 KiB content stored already</td><td>puts/s</td></tr>
 *   <tr><td>{@link #contentGet}</td><td>{@code ContentStore.get} of a random stored 4 KiB hash</td><td>us/op</td></tr>
 *   <tr><td>{@link #indexLatest}</td><td>{@code VersionIndex.latest(path, T)}, random path and T</td><td>us/op</td></tr>
 *   <tr><td>{@link #indexHistory}</td><td>{@code VersionIndex.history(path)} of one path with many versions</td><td>us/op</td></tr>
 *   <tr><td>{@link #compactStep}</td><td>{@code CompactionRig.compactUpTo} of 10,000 journaled writes</td><td>events/s</td></tr>
 *   <tr><td>{@link #exportTree}</td><td>{@code TimeMachine.export} of 200 files into a fresh directory</td><td>ms/op</td></tr>
 * </table>
 *
 * <p>Throughput scores ({@code thrpt}) are operations per second, where an operation is one event for the
 * journal and compaction methods ({@code @OperationsPerInvocation}) and one put for the content puts; average
 * times ({@code avgt}) are per call. JMH prints the unit of each row.
 *
 * <p>Each method has its own {@code @State}, so a method sets up only what it reads. All data comes from fixed
 * seeds. Size parameters that only shape the set-up can be lowered for a quick check with {@code -p}
 * ({@code storedContents}, {@code indexPaths}, {@code versionsPerPath}, {@code historyVersions}); the per-call
 * sizes are constants, since {@code @OperationsPerInvocation} must be.
 *
 * <p>Bounded state: the methods that write (journal appends, puts of new content, compaction) get a fresh state
 * dir at every iteration ({@code @Setup(Level.Iteration)}, closed and deleted in {@code @TearDown(Level.Iteration)}),
 * so the disk holds at most what one iteration wrote (the 4 KiB methods write the most: their rate × 2 s × 4 KiB,
 * plus the engine's write-ahead log); they measure a young store, not the sustained rate of
 * {@code JournalAppendBenchmark}. The read methods populate a store once per trial,
 * then close and reopen it so that RocksDB reads from table files rather than the memtables that were just
 * filled; they do not write (dedup hits write nothing), except {@link #exportTree}, whose output is deleted after
 * each call. Every state dir goes under {@code -Dtm.bench.dir} (default {@code java.io.tmpdir}) and is deleted
 * afterwards, unless {@code -Dtm.bench.keep=true}.
 *
 * <p>Usage: {@code java -jar benchmarks/target/benchmarks.jar StorageOpsBenchmark -f 1 -wi 2 -i 5}.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class StorageOpsBenchmark {

    /** Events per {@code Journal.append}, as the recorder batches them (docs/architecture.md §5). */
    static final int BATCH = 1_000;
    /** 46 bytes of fixed fields + an 18-byte path + 64 bytes written = a 128-byte encoded event, as in JournalAppendBenchmark. */
    static final int SMALL_PAYLOAD = 64;
    /** A page-sized write: above the 512 bytes kept inline, so the journal puts it in the payload log by hash. */
    static final int LARGE_PAYLOAD = 4096;
    /** The size of the content put and read by the content-store methods. */
    static final int CONTENT_SIZE = 4096;
    /** Writes journaled before each compaction step, and compacted by it. */
    static final int COMPACT_EVENTS = 10_000;
    /** Files the compaction writes go to. */
    static final int COMPACT_FILES = 1_000;
    /** Files of the exported tree, their versions, and the range of their sizes. */
    static final int EXPORT_FILES = 200;
    static final int EXPORT_VERSIONS = 4;
    static final int EXPORT_MIN_SIZE = 2 << 10;
    static final int EXPORT_MAX_SIZE = 8 << 10;
    /** Length (a power of two) of the precomputed sequences of random indices and instants the read methods cycle through. */
    static final int QUERIES = 1 << 16;
    static final long SEED = 42;
    static final int PID = 4242;
    /** Timestamps are spaced this far apart, from an arbitrary fixed start. */
    static final long STEP_NS = 1_000;
    static final long T0 = 1_000_000_000_000L;

    // ---------------------------------------------------------------------------------------------------------
    // 1. Journal append

    /**
     * Journal append, small writes: one {@code Journal.append} of 1,000 write events of 128 bytes encoded each
     * (a 64-byte text-like payload, kept inline in the journal entry), the workload of JournalAppendBenchmark.
     * Building the batch (1,000 {@code FsEvent}s, as the recorder's decoder does) is inside the timed call, as in
     * JournalAppendBenchmark. Score: events/s. Each iteration starts from an empty journal (see the class javadoc).
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public long journalAppend128B(JournalState s) {
        return s.journal.append(s.smallBatch());
    }

    /**
     * Journal append, page-sized writes: one {@code Journal.append} of 1,000 write events of 4 KiB each, every
     * payload distinct (random bytes with a counter in the first 8), so each is hashed, looked up in the content
     * store, appended to the payload log ({@code segments/}) and named by its hash in the journal entry
     * (KvJournal, Segments). Score: events/s; each event carries 4 KiB.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public long journalAppend4KiB(JournalState s) {
        return s.journal.append(s.largeBatch());
    }

    /**
     * A fresh journal per iteration. The 4 KiB payload buffers are reused from batch to batch: when
     * {@code append} returns, the payload log has written them and the batch has committed.
     */
    @State(Scope.Benchmark)
    public static class JournalState {
        @Param({"rocks", "lmdb"})
        public String engine;

        Journal journal;
        private Path dir;
        private TimeMachine tm;
        private final List<FsEvent> batch = new ArrayList<>(BATCH);
        private byte[][] paths;
        private byte[][] lines;
        private byte[][] blocks;
        private long timeNs;
        private long offset;
        private long appended;
        private long stamp;

        @Setup(Level.Trial)
        public void data() {
            Random random = new Random(SEED);
            paths = new byte[100][];
            for (int i = 0; i < paths.length; i++) {
                paths[i] = String.format("/work/tree/file-%02d", i).getBytes(StandardCharsets.UTF_8);
            }
            lines = textLines(random, 4096, SMALL_PAYLOAD);
            blocks = new byte[BATCH][LARGE_PAYLOAD];
            for (byte[] b : blocks) {
                random.nextBytes(b);
            }
        }

        @Setup(Level.Iteration)
        public void open() throws IOException {
            dir = newDir("journal", engine);
            tm = create(dir.resolve("state"), engine);
            journal = tm.store().journal(1);
            timeNs = T0;
            offset = 0;
            appended = 0;
        }

        List<FsEvent> smallBatch() {
            batch.clear();
            for (int i = 0; i < BATCH; i++) {
                long n = appended + i;
                timeNs += 97; // strictly increasing, as events from one CPU are
                batch.add(FsEvent.write(timeNs, PID, paths[(int) (n % paths.length)], offset,
                        lines[(int) (n % lines.length)]));
                offset += SMALL_PAYLOAD;
            }
            appended += BATCH;
            return batch;
        }

        List<FsEvent> largeBatch() {
            batch.clear();
            for (int i = 0; i < BATCH; i++) {
                long n = appended + i;
                timeNs += 97;
                byte[] block = blocks[i];
                putLong(block, ++stamp); // distinct content: every payload a dedup miss
                batch.add(FsEvent.write(timeNs, PID, paths[(int) (n % paths.length)], offset, block));
                offset += LARGE_PAYLOAD;
            }
            appended += BATCH;
            return batch;
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            tm.close();
            delete(dir);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 2. Content put, dedup miss and hit; 3. content get

    /**
     * Content put, dedup miss: one {@code ContentStore.put} of 4 KiB never stored before (random bytes with a
     * counter in the first 8): SHA-256, a lookup that misses, and a one-put batch committed to the engine (content
     * under 64 KiB is stored whole, in the engine, not chunked). Score: puts/s. Each iteration starts from an empty
     * store; the buffer is reused once {@code put} has returned (the batch has committed).
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public ContentHash contentPutDedupMiss(FreshContentState s) {
        return s.content.put(s.next());
    }

    /**
     * Content put, dedup hit: one {@code ContentStore.put} of 4 KiB stored already (a random one of
     * {@code storedContents}): SHA-256 and a lookup that hits, nothing written. Score: puts/s.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public ContentHash contentPutDedupHit(StoredContentState s) {
        return s.content.put(s.contents[s.nextIndex()]);
    }

    /**
     * Content get: one {@code ContentStore.get} of a random one of {@code storedContents} stored 4 KiB contents,
     * read from the reopened store and checked against its hash, as every read of the product does. Score: us per
     * get.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] contentGet(StoredContentState s) {
        return s.content.get(s.hashes[s.nextIndex()]);
    }

    /** An empty store per iteration, for puts of new content. */
    @State(Scope.Benchmark)
    public static class FreshContentState {
        @Param({"rocks", "lmdb"})
        public String engine;

        ContentStore content;
        private Path dir;
        private TimeMachine tm;
        private byte[] block;
        private long stamp;

        @Setup(Level.Trial)
        public void data() {
            block = new byte[CONTENT_SIZE];
            new Random(SEED).nextBytes(block);
        }

        @Setup(Level.Iteration)
        public void open() throws IOException {
            dir = newDir("content-new", engine);
            tm = create(dir.resolve("state"), engine);
            content = tm.store().content();
        }

        byte[] next() {
            putLong(block, ++stamp);
            return block;
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            tm.close();
            delete(dir);
        }
    }

    /**
     * A store holding {@code storedContents} distinct 4 KiB contents (put in batches of 1,000, then the store
     * closed and reopened), and a fixed random sequence of indices into them.
     */
    @State(Scope.Benchmark)
    public static class StoredContentState {
        @Param({"rocks", "lmdb"})
        public String engine;

        /** Contents stored before the measurement (the default is 40 MB of them). */
        @Param("10000")
        public int storedContents;

        ContentStore content;
        byte[][] contents;
        ContentHash[] hashes;
        private int[] order;
        private int next;
        private Path dir;
        private TimeMachine tm;

        @Setup(Level.Trial)
        public void open() throws IOException {
            Random random = new Random(SEED);
            contents = new byte[storedContents][CONTENT_SIZE];
            for (byte[] c : contents) {
                random.nextBytes(c);
            }
            dir = newDir("content-stored", engine);
            Path state = dir.resolve("state");
            hashes = new ContentHash[storedContents];
            try (TimeMachine writer = create(state, engine)) {
                for (int i = 0; i < storedContents; i += BATCH) {
                    List<ContentHash> put = writer.store().content()
                            .putAll(Arrays.asList(contents).subList(i, Math.min(storedContents, i + BATCH)));
                    for (int k = 0; k < put.size(); k++) {
                        hashes[i + k] = put.get(k);
                    }
                }
            }
            tm = reopen(state, engine);
            content = tm.store().content();
            order = new int[QUERIES];
            for (int i = 0; i < QUERIES; i++) {
                order[i] = random.nextInt(storedContents);
            }
            if (!Arrays.equals(content.get(hashes[storedContents - 1]), contents[storedContents - 1])) {
                throw new IllegalStateException("the stored content does not read back");
            }
        }

        int nextIndex() {
            return order[next++ & (QUERIES - 1)];
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            tm.close();
            delete(dir);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 4. Version-index seek; 5. history scan

    /**
     * Version-index seek: one {@code VersionIndex.latest(path, T)}, "the latest version of a path at or before T",
     * for a random path of {@code indexPaths} (each with {@code versionsPerPath} versions) and a random T between
     * its first version and the end of the recording, so that a version is always found. One forward seek in the
     * {@code m:} keyspace and one decode; the path's id comes from PathTable's cache after its first lookup.
     * Score: us per lookup.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Optional<Version> indexLatest(IndexState s) {
        int q = s.next++ & (QUERIES - 1);
        return s.index.latest(s.paths[s.queryPath[q]], s.queryTime[q]);
    }

    /**
     * History scan: one {@code VersionIndex.history(path)} of the one path that has {@code historyVersions}
     * versions (a keyframe, then 64-byte extents), in the same populated index: a range scan decoding every
     * version, returned oldest first. Score: us per scan of the whole history.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public List<Version> indexHistory(IndexState s) {
        return s.index.history(s.hotPath);
    }

    /**
     * The version index of recording 1 with {@code indexPaths} paths of {@code versionsPerPath} versions each
     * (the first a keyframe naming a content hash, the others 64-byte extents kept inline, as the compactor writes
     * small appends), their instants interleaved as one recording's are, plus one path with
     * {@code historyVersions} versions spread over the same time; written in batches of 1,000 with
     * {@code VersionIndex.putAll}, then the store closed and reopened.
     */
    @State(Scope.Benchmark)
    public static class IndexState {
        @Param({"rocks", "lmdb"})
        public String engine;

        @Param("10000")
        public int indexPaths;

        @Param("20")
        public int versionsPerPath;

        @Param("10000")
        public int historyVersions;

        VersionIndex index;
        byte[][] paths;
        byte[] hotPath;
        int[] queryPath;
        long[] queryTime;
        int next;
        private Path dir;
        private TimeMachine tm;

        @Setup(Level.Trial)
        public void open() throws IOException {
            Random random = new Random(SEED);
            paths = new byte[indexPaths][];
            for (int p = 0; p < indexPaths; p++) {
                paths[p] = String.format("/work/tree/d%03d/file-%05d.log", p / 100, p).getBytes(StandardCharsets.UTF_8);
            }
            hotPath = "/work/tree/build/output.log".getBytes(StandardCharsets.UTF_8);
            long rounds = (long) indexPaths * versionsPerPath;
            long endNs = T0 + rounds * STEP_NS;

            dir = newDir("index", engine);
            Path state = dir.resolve("state");
            try (TimeMachine writer = create(state, engine)) {
                VersionIndex w = writer.store().versions(1);
                List<Version> batch = new ArrayList<>(BATCH);
                long seq = 0;
                for (int v = 0; v < versionsPerPath; v++) {
                    for (int p = 0; p < indexPaths; p++) {
                        seq++;
                        batch.add(new Version(paths[p], T0 + (seq - 1) * STEP_NS, seq, record(random, v)));
                        if (batch.size() == BATCH) {
                            w.putAll(batch);
                            batch.clear();
                        }
                    }
                }
                long hotStep = Math.max(1, (endNs - T0) / historyVersions);
                for (int v = 0; v < historyVersions; v++) {
                    seq++;
                    batch.add(new Version(hotPath, T0 + v * hotStep + 1, seq, record(random, v)));
                    if (batch.size() == BATCH) {
                        w.putAll(batch);
                        batch.clear();
                    }
                }
                w.putAll(batch);
            }
            tm = reopen(state, engine);
            index = tm.store().versions(1);

            queryPath = new int[QUERIES];
            queryTime = new long[QUERIES];
            for (int q = 0; q < QUERIES; q++) {
                int p = random.nextInt(indexPaths);
                long first = T0 + p * STEP_NS;
                queryPath[q] = p;
                queryTime[q] = first + (long) (random.nextDouble() * (endNs - first));
            }
            for (int q = 0; q < Math.min(QUERIES, 1_000); q++) {
                Optional<Version> found = index.latest(paths[queryPath[q]], queryTime[q]);
                if (found.isEmpty() || found.get().timeNs() > queryTime[q]) {
                    throw new IllegalStateException("latest(" + new String(paths[queryPath[q]], StandardCharsets.UTF_8)
                            + ", " + queryTime[q] + ") found " + found);
                }
            }
            int versions = index.history(hotPath).size();
            if (versions != historyVersions) {
                throw new IllegalStateException("the history holds " + versions + " versions, not " + historyVersions);
            }
        }

        private static VersionRecord record(Random random, int v) {
            if (v == 0) {
                byte[] hash = new byte[ContentHash.LENGTH];
                random.nextBytes(hash);
                return new VersionRecord(VersionRecord.Kind.KEYFRAME, 0, 4096, ContentHash.of(hash), 0100644, null, 0);
            }
            byte[] data = new byte[SMALL_PAYLOAD];
            random.nextBytes(data);
            return new VersionRecord(VersionRecord.Kind.EXTENT, 4096L + (long) (v - 1) * SMALL_PAYLOAD, SMALL_PAYLOAD,
                    null, 0100644, null, 0, data);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            tm.close();
            delete(dir);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 6. Compaction step

    /**
     * Compaction step: one {@code CompactionRig.compactUpTo(watermark)} over the 10,000 write events journaled
     * just before it (128-byte events appended to random files of 1,000 log files, as a build writes its output):
     * reading them back from the journal, writing version records (and keyframes, as files grow), trimming the
     * journal. The appends happen in {@code @Setup(Level.Invocation)}, which JMH does not time, so the score is the
     * compaction alone; it includes whatever background work of the engine (a RocksDB flush) the appends set off
     * and that overlaps the call, as it would in the recorder. Each iteration starts from a fresh state dir whose
     * 1,000 files were created and compacted before the measurement. Score: events compacted per second.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(COMPACT_EVENTS)
    public long compactStep(CompactionState s) {
        long compacted = s.rig.compactUpTo(s.watermark);
        if (compacted != COMPACT_EVENTS) {
            throw new IllegalStateException("compacted " + compacted + " events, not " + COMPACT_EVENTS);
        }
        return compacted;
    }

    /** One recording of an (empty) real root, through core's CompactionRig; a fresh one per iteration. */
    @State(Scope.Benchmark)
    public static class CompactionState {
        @Param({"rocks", "lmdb"})
        public String engine;

        CompactionRig rig;
        long watermark;
        private Path dir;
        private Journal journal;
        private byte[] text;
        private byte[][] paths;
        private long[] sizes;
        private Random random;
        private long clock;
        private long counter;

        @Setup(Level.Trial)
        public void data() {
            text = textBlob(new Random(SEED), 1 << 20);
        }

        @Setup(Level.Iteration)
        public void open() throws IOException {
            random = new Random(SEED);
            dir = newDir("compaction", engine);
            Path root = Files.createDirectories(dir.resolve("root")).toRealPath();
            long startNs = System.nanoTime();
            clock = startNs;
            rig = CompactionRig.create(dir.resolve("state"), engine, root, startNs, Clock.systemUTC());
            journal = rig.journal();
            paths = new byte[COMPACT_FILES][];
            sizes = new long[COMPACT_FILES];
            List<FsEvent> events = new ArrayList<>();
            for (int i = 0; i < COMPACT_FILES; i++) {
                if (i % 100 == 0) {
                    events.add(new FsEvent(clock += STEP_NS, PID, PID, Op.MKDIR, path(root, String.format("d%03d", i / 100)),
                            null, 0, 0, 040755, null, FsEvent.FLAG_DIRECTORY));
                }
                paths[i] = path(root, String.format("d%03d/file-%05d.log", i / 100, i));
                events.add(new FsEvent(clock += STEP_NS, PID, PID, Op.CREATE, paths[i], null, 0, 0, 0100644, null, 0));
            }
            append(journal, events);
            rig.compactUpTo(Long.MAX_VALUE);
        }

        @Setup(Level.Invocation)
        public void journalWrites() {
            List<FsEvent> events = new ArrayList<>(COMPACT_EVENTS);
            for (int i = 0; i < COMPACT_EVENTS; i++) {
                int file = random.nextInt(COMPACT_FILES);
                int from = random.nextInt(text.length - SMALL_PAYLOAD);
                byte[] payload = Arrays.copyOfRange(text, from, from + SMALL_PAYLOAD);
                byte[] stamp = Long.toString(counter++).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(stamp, 0, payload, 0, stamp.length);
                payload[SMALL_PAYLOAD - 1] = '\n';
                events.add(FsEvent.write(clock += STEP_NS, PID, paths[file], sizes[file], payload));
                sizes[file] += SMALL_PAYLOAD;
            }
            append(journal, events);
            watermark = clock;
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            rig.close();
            delete(dir);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 7. Export

    /**
     * Export of a small tree: one {@code TimeMachine.export} of 200 files (2–8 KiB of text each, in 10
     * directories) as they were at an instant in the middle of their history (each file has 4 versions, the whole
     * file rewritten each time, like an editor saving it; the export is at the second), into a directory that does
     * not exist yet. The output is deleted after each call, in {@code @TearDown(Level.Invocation)}, untimed.
     * Score: ms per export.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public ExportSummary exportTree(ExportState s) {
        return s.tm.export(s.info, s.atNs, s.out);
    }

    /**
     * One recording of 200 files written through the journal and compacted with CompactionRig, then the store
     * closed and reopened (without finishing the recording); one export checked against the bytes written.
     */
    @State(Scope.Benchmark)
    public static class ExportState {
        @Param({"rocks", "lmdb"})
        public String engine;

        TimeMachine tm;
        RecordingInfo info;
        long atNs;
        Path out;
        private Path dir;
        private int exports;

        @Setup(Level.Trial)
        public void open() throws IOException {
            Random random = new Random(SEED);
            byte[] text = textBlob(random, 1 << 20);
            dir = newDir("export", engine);
            Path root = Files.createDirectories(dir.resolve("root")).toRealPath();
            Path state = dir.resolve("state");
            long startNs = System.nanoTime();
            long clock = startNs;
            long expectedBytes = 0;
            int id;
            try (CompactionRig rig = CompactionRig.create(state, engine, root, startNs, Clock.systemUTC())) {
                List<FsEvent> events = new ArrayList<>();
                byte[][] paths = new byte[EXPORT_FILES][];
                for (int i = 0; i < EXPORT_FILES; i++) {
                    if (i % 20 == 0) {
                        events.add(new FsEvent(clock += STEP_NS, PID, PID, Op.MKDIR, path(root, String.format("d%02d", i / 20)),
                                null, 0, 0, 040755, null, FsEvent.FLAG_DIRECTORY));
                    }
                    paths[i] = path(root, String.format("d%02d/file-%03d.txt", i / 20, i));
                    events.add(new FsEvent(clock += STEP_NS, PID, PID, Op.CREATE, paths[i], null, 0, 0, 0100644, null, 0));
                }
                for (int v = 0; v < EXPORT_VERSIONS; v++) {
                    for (int i = 0; i < EXPORT_FILES; i++) {
                        if (v > 0) {
                            events.add(new FsEvent(clock += STEP_NS, PID, PID, Op.TRUNCATE, paths[i], null, 0, 0, 0, null, 0));
                        }
                        int size = EXPORT_MIN_SIZE + random.nextInt(EXPORT_MAX_SIZE - EXPORT_MIN_SIZE + 1);
                        int from = random.nextInt(text.length - size);
                        events.add(FsEvent.write(clock += STEP_NS, PID, paths[i], 0,
                                Arrays.copyOfRange(text, from, from + size)));
                        if (v == 1) {
                            expectedBytes += size;
                        }
                    }
                    if (v == 1) {
                        atNs = clock;
                    }
                }
                append(rig.journal(), events);
                rig.compactUpTo(Long.MAX_VALUE);
                id = rig.recording().id();
            }
            tm = TimeMachine.open(state, TimeMachine.Options.defaults().withEngine(engine).withFinishInterrupted(false));
            info = tm.recording(id).orElseThrow();
            Path check = dir.resolve("out-check");
            ExportSummary s = tm.export(info, atNs, check);
            if (s.files() != EXPORT_FILES || s.bytes() != expectedBytes || !s.approximate().isEmpty()
                    || !s.refused().isEmpty()) {
                throw new IllegalStateException("export wrote " + s + ", expected " + EXPORT_FILES + " files of "
                        + expectedBytes + " bytes");
            }
            deleteTree(check);
        }

        @Setup(Level.Invocation)
        public void target() {
            out = dir.resolve("out-" + ++exports);
        }

        @TearDown(Level.Invocation)
        public void removeOutput() throws IOException {
            deleteTree(out);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            tm.close();
            delete(dir);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A new directory under {@code -Dtm.bench.dir} (default {@code java.io.tmpdir}). */
    static Path newDir(String what, String engine) throws IOException {
        Path base = Path.of(System.getProperty("tm.bench.dir", System.getProperty("java.io.tmpdir")));
        return Files.createTempDirectory(Files.createDirectories(base), "storage-ops-" + what + "-" + engine + "-");
    }

    static TimeMachine create(Path stateDir, String engine) {
        return TimeMachine.create(stateDir, TimeMachine.Options.defaults().withEngine(engine));
    }

    /** Opens a closed state dir again: RocksDB's recovery flushes the memtables into table files. */
    static TimeMachine reopen(Path stateDir, String engine) {
        return TimeMachine.open(stateDir, TimeMachine.Options.defaults().withEngine(engine));
    }

    /** Deletes a state's directory at the end, unless {@code -Dtm.bench.keep=true}. */
    static void delete(Path dir) throws IOException {
        if (Boolean.getBoolean("tm.bench.keep")) {
            System.out.println("[storage-ops] kept " + dir);
            return;
        }
        deleteTree(dir);
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static byte[] path(Path root, String relative) {
        return (root + "/" + relative).getBytes(StandardCharsets.UTF_8);
    }

    static long append(Journal journal, List<FsEvent> events) {
        long last = journal.lastSequence();
        for (int i = 0; i < events.size(); i += BATCH) {
            last = journal.append(events.subList(i, Math.min(events.size(), i + BATCH)));
        }
        return last;
    }

    /** Writes {@code v} big-endian into the first 8 bytes of {@code b}. */
    static void putLong(byte[] b, long v) {
        for (int k = 0; k < 8; k++) {
            b[k] = (byte) (v >>> (56 - 8 * k));
        }
    }

    private static final String[] WORDS = {"the", "build", "test", "error", "warning", "compile", "module", "class",
        "target", "INFO", "DEBUG", "passed", "failed", "java", "src", "main", "=", "->", "{", "}", "ms", "0x"};

    /**
     * {@code count} lines of text-like bytes of {@code length} each, distinct enough that compression sees the
     * entropy of real output rather than one repeated payload (as JournalAppendBenchmark's).
     */
    static byte[][] textLines(Random random, int count, int length) {
        byte[][] lines = new byte[count][];
        for (int i = 0; i < count; i++) {
            StringBuilder line = new StringBuilder();
            while (line.length() < length) {
                line.append(random.nextInt(4) == 0 ? Integer.toString(random.nextInt(100_000))
                        : WORDS[random.nextInt(WORDS.length)]).append(' ');
            }
            lines[i] = line.substring(0, length - 1).concat("\n").getBytes(StandardCharsets.US_ASCII);
        }
        return lines;
    }

    /** {@code size} bytes of text-like output: words and numbers, a newline every dozen words or so. */
    static byte[] textBlob(Random random, int size) {
        StringBuilder s = new StringBuilder(size + 16);
        while (s.length() < size) {
            s.append(random.nextInt(4) == 0 ? Integer.toString(random.nextInt(100_000))
                    : WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(12) == 0 ? '\n' : ' ');
        }
        return s.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }
}
