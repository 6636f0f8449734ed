package dev.timemachine.bench.pipeline;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.ContentStore;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.core.ExportSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recorder pipeline behind the journal (docs/architecture.md §6, §10), on real RocksDB, with synthetic events written
 * through the public API:
 * <ul>
 *   <li>{@code compaction}: events/s of stage 1 alone ({@code Journal.append} in batches of 1,000) and of the
 *   compactor over the same events, in one run; then both at once, as the recorder runs them, with the lag of
 *   the compactor when the appender finishes;</li>
 *   <li>{@code export}: time to export a tree of N files after H events of history, against writing the same
 *   files straight from memory (the floor);</li>
 *   <li>{@code storage}: state-dir bytes for V versions of one large random file with scattered edits, against
 *   one stored copy of the file in a fresh state dir.</li>
 * </ul>
 *
 * <p>Usage: {@code java -Xmx3g -cp benchmarks/target/benchmarks.jar dev.timemachine.bench.pipeline.PipelineBenchmark
 * compaction|export|storage|all [--dir DIR] [--reps N] [--events N] [--dd-blocks N] [--files N,N]
 * [--history N,N] [--versions N] [--file-mib N] [--keep]}
 */
public final class PipelineBenchmark {
    private Path work;
    private int reps = 3;
    private long smallEvents = 1_000_000;
    private int smallFiles = 1_000;
    private long ddBlocks = 131_072;
    private int[] exportFiles = {10_000, 5_000};
    private long[] histories = {100_000, 1_000_000};
    private int versions = 100;
    private int fileMiB = 16;
    private int runs = 16;
    private boolean keep;
    private boolean concurrent = true;
    private final List<String> workloads = new ArrayList<>(List.of("small", "dd"));

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage("no scenario given");
        }
        PipelineBenchmark b = new PipelineBenchmark();
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--reps" -> b.reps = Integer.parseInt(args[++i]);
                case "--events" -> b.smallEvents = Long.parseLong(args[++i]);
                case "--small-files" -> b.smallFiles = Integer.parseInt(args[++i]);
                case "--dd-blocks" -> b.ddBlocks = Long.parseLong(args[++i]);
                case "--workloads" -> {
                    b.workloads.clear();
                    b.workloads.addAll(List.of(args[++i].split(",")));
                }
                case "--no-concurrent" -> b.concurrent = false;
                case "--files" -> b.exportFiles = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--history" -> b.histories = Arrays.stream(args[++i].split(",")).mapToLong(Long::parseLong).sorted().toArray();
                case "--versions" -> b.versions = Integer.parseInt(args[++i]);
                case "--file-mib" -> b.fileMiB = Integer.parseInt(args[++i]);
                case "--runs" -> b.runs = Integer.parseInt(args[++i]);
                case "--keep" -> b.keep = true;
                default -> usage("unknown argument " + args[i]);
            }
        }
        b.work = Files.createTempDirectory(Files.createDirectories(dir), "tm-pipeline-bench");
        System.out.printf("work dir %s, %d cores, max heap %d MiB, load average %s%n", b.work,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, loadAverage());
        try {
            switch (args[0]) {
                case "compaction" -> b.compaction();
                case "export" -> b.export();
                case "storage" -> b.storage();
                case "all" -> {
                    b.compaction();
                    b.export();
                    b.storage();
                }
                default -> usage("unknown scenario " + args[0]);
            }
        } finally {
            if (!b.keep) {
                Fixture.deleteTree(b.work);
            }
            System.out.printf("load average at the end %s%n", loadAverage());
        }
    }

    private static void usage(String problem) {
        System.err.println(problem + "; usage: PipelineBenchmark compaction|export|storage|all [--dir DIR] [--reps N]"
                + " [--events N] [--small-files N] [--dd-blocks N] [--workloads small,dd,dd-zero] [--no-concurrent]"
                + " [--files N,N] [--history N,N] [--versions N] [--file-mib N] [--runs N] [--keep]");
        System.exit(2);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 1. Compaction against stage-1 ingest

    private Workload workload(String name) {
        return switch (name) {
            case "small" -> new Workload.SmallWrites(smallFiles);
            case "dd" -> new Workload.Dd(false);
            case "dd-zero" -> new Workload.Dd(true);
            default -> throw new IllegalArgumentException("unknown workload " + name + " (small, dd, dd-zero)");
        };
    }

    private long count(String name) {
        return name.equals("small") ? smallEvents : ddBlocks;
    }

    private void compaction() throws Exception {
        for (String name : workloads) {
            long n = count(name);
            double[] appendRates = new double[reps];
            double[] compactRates = new double[reps];
            double[] compactCpu = new double[reps];
            for (int r = 0; r < reps; r++) {
                Workload w = workload(name);
                try (Fixture f = Fixture.create(work, "compaction-" + name).baseline()) {
                    long appendNs = f.append(w.setup(f));
                    long appendCpu = -Fixture.threadCpu();
                    for (long done = 0; done < n; done += Fixture.BATCH) {
                        List<FsEvent> batch = w.next(f, (int) Math.min(Fixture.BATCH, n - done));
                        appendCpu -= Fixture.threadCpu();
                        appendNs += f.append(batch);
                        appendCpu += Fixture.threadCpu();
                    }
                    appendCpu += Fixture.threadCpu();
                    long events = f.journal.lastSequence();
                    String load = loadAverage();
                    long compactNs = f.compactAll();

                    appendRates[r] = events / (appendNs / 1e9);
                    compactRates[r] = events / (compactNs / 1e9);
                    compactCpu[r] = f.lastCompactThreadCpuNs / 1e3 / events;
                    System.out.printf(Locale.ROOT, "[compaction] %s rep %d: %,d events; journal append %.2f s = %,.0f events/s"
                                    + " (%.2f CPU us/event in the appending thread); compaction %.2f s = %,.0f events/s (%.2fx append),"
                                    + " %.2f CPU us/event in the compacting thread, %.2f in the whole process; %,d versions,"
                                    + " %,d payload bytes; load %s%n",
                            name, r + 1, events, appendNs / 1e9, appendRates[r], appendCpu / 1e3 / events, compactNs / 1e9,
                            compactRates[r], compactRates[r] / appendRates[r], compactCpu[r],
                            f.lastCompactProcessCpuNs / 1e3 / events, f.rig.versions(), f.rig.compactedBytes(), load);
                }
                if (!keep) {
                    Fixture.deleteTree(work.resolve("compaction-" + name));
                }
            }
            System.out.printf(Locale.ROOT, "[compaction] %s median of %d: journal append %,.0f events/s, compaction %,.0f events/s,"
                    + " ratio %.2f; compaction CPU %.2f us/event (%,.0f events/s per busy core)%n", name, reps, median(appendRates),
                    median(compactRates), median(compactRates) / median(appendRates), median(compactCpu), 1e6 / median(compactCpu));
            if (concurrent) {
                concurrent(name, n);
            }
        }
    }

    /**
     * Appender and compactor on two threads, as {@code Pipeline} runs them: the appender journals batches as
     * fast as it can and publishes the last timestamp journaled; the compactor compacts up to it, then sleeps
     * 50 ms, and again.
     */
    private void concurrent(String name, long n) throws Exception {
        Workload w = workload(name);
        try (Fixture f = Fixture.create(work, "concurrent-" + name).baseline()) {
            AtomicLong watermark = new AtomicLong(Long.MIN_VALUE);
            AtomicLong compacted = new AtomicLong();
            Throwable[] failure = new Throwable[1];
            Thread compactorThread = new Thread(() -> {
                long done = Long.MIN_VALUE;
                try {
                    while (true) {
                        long wm = watermark.get();
                        if (wm > done) {
                            compacted.addAndGet(f.rig.compactUpTo(wm));
                            done = wm;
                        }
                        if (done == Long.MAX_VALUE) {
                            return;
                        }
                        Thread.sleep(50);
                    }
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }, "tm-compactor");
            long t0 = System.nanoTime();
            compactorThread.start();
            List<FsEvent> setup = w.setup(f);
            f.append(setup);
            watermark.set(f.clock);
            long maxLag = 0;
            for (long done = 0; done < n; done += Fixture.BATCH) {
                List<FsEvent> batch = w.next(f, (int) Math.min(Fixture.BATCH, n - done));
                f.journal.append(batch);
                watermark.set(f.clock);
                maxLag = Math.max(maxLag, f.journal.lastSequence() - f.rig.compactedEvents());
            }
            long appended = f.journal.lastSequence();
            long tAppend = System.nanoTime() - t0;
            long lagAtEnd = appended - f.rig.compactedEvents();
            watermark.set(Long.MAX_VALUE);
            compactorThread.join();
            long tAll = System.nanoTime() - t0;
            if (failure[0] != null) {
                throw new IllegalStateException("compactor failed", failure[0]);
            }
            System.out.printf(Locale.ROOT, "[concurrent] %s: %,d events journaled in %.2f s (%,.0f events/s while compacting);"
                            + " not yet compacted then: %,d (%.0f%%, largest lag seen %,d); all compacted after %.2f s (%,.0f events/s end to end,"
                            + " drain %.2f s); load %s%n",
                    name, appended, tAppend / 1e9, appended / (tAppend / 1e9), lagAtEnd, 100.0 * lagAtEnd / appended, maxLag,
                    tAll / 1e9, appended / (tAll / 1e9), (tAll - tAppend) / 1e9, loadAverage());
        }
        if (!keep) {
            Fixture.deleteTree(work.resolve("concurrent-" + name));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 2. Export: grows with the tree, not with the history

    private void export() throws Exception {
        for (int files : exportFiles) {
            Workload.SmallWrites w = new Workload.SmallWrites(files);
            try (Fixture f = Fixture.create(work, "export-" + files).baseline()) {
                f.append(w.setup(f));
                long compactNs = f.compactAll();
                long written = 0;
                for (long history : histories) {
                    for (; written < history; written += Fixture.BATCH) {
                        f.append(w.next(f, (int) Math.min(Fixture.BATCH, history - written)));
                        if (written % 100_000 == 0) {
                            compactNs += f.compactAll();
                        }
                    }
                    compactNs += f.compactAll();
                    long totalBytes = Arrays.stream(w.sizes).sum();
                    double[] exportS = new double[reps];
                    double[] floorS = new double[reps];
                    for (int r = 0; r < reps; r++) {
                        Path out = f.base.resolve("out");
                        Fixture.deleteTree(out);
                        long t0 = System.nanoTime();
                        ExportSummary s = f.rig.timeMachine().export(f.info, f.clock, out);
                        exportS[r] = (System.nanoTime() - t0) / 1e9;
                        if (s.files() != files || s.bytes() != totalBytes || !s.refused().isEmpty() || !s.approximate().isEmpty()) {
                            throw new IllegalStateException("export wrote " + s + ", expected " + files + " files of " + totalBytes + " bytes");
                        }
                        Fixture.deleteTree(out);
                        floorS[r] = writeFloor(out, w.sizes);
                        Fixture.deleteTree(out);
                    }
                    System.out.printf(Locale.ROOT, "[export] %,d files (%,.1f MB) after %,d writes (+%,d creates): export %.2f s"
                                    + " (runs %s), writing the same files from memory %.2f s, ratio %.1fx; compaction so far %.1f s;"
                                    + " load %s%n",
                            files, totalBytes / 1e6, history, files, median(exportS), fmt(exportS), median(floorS),
                            median(exportS) / median(floorS), compactNs / 1e9, loadAverage());
                }
            }
            if (!keep) {
                Fixture.deleteTree(work.resolve("export-" + files));
            }
        }
    }

    /** The floor of an export: the same directories and files, random bytes of the same sizes, modes set. */
    private static double writeFloor(Path out, long[] sizes) throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        long t0 = System.nanoTime();
        Files.createDirectories(out);
        for (int i = 0; i < sizes.length; i++) {
            if (i % 100 == 0) {
                Files.createDirectory(out.resolve(Workload.SmallWrites.dir(i)));
            }
            byte[] b = new byte[(int) sizes[i]];
            Workload.fill(r, b);
            Path p = out.resolve(Workload.SmallWrites.name(i));
            Files.write(p, b);
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    // ---------------------------------------------------------------------------------------------------------
    // 3. Storage of many versions of one large file

    private void storage() throws Exception {
        int size = fileMiB << 20;
        int runLength = size / 100 / runs;
        SplittableRandom random = new SplittableRandom(1234);
        byte[] expected = new byte[size];
        Workload.fill(random, expected);
        long editBytes = 0;
        Map<VersionRecord.Kind, long[]> kinds = new EnumMap<>(VersionRecord.Kind.class);
        long uniqueContent;
        Path stateDir;
        try (Fixture f = Fixture.create(work, "storage").baseline()) {
            byte[] path = f.path("big.bin");
            // like cp: created, then written in 128 KiB writes
            List<FsEvent> events = new ArrayList<>();
            events.add(f.create(path));
            for (int off = 0; off < size; off += 128 << 10) {
                events.add(f.write(path, off, Arrays.copyOfRange(expected, off, Math.min(size, off + (128 << 10)))));
            }
            f.append(events);
            f.compactAll();
            for (int v = 0; v < versions; v++) {
                events.clear();
                for (int k = 0; k < runs; k++) {
                    int off = random.nextInt(size - runLength);
                    byte[] run = new byte[runLength];
                    Workload.fill(random, run);
                    System.arraycopy(run, 0, expected, off, runLength);
                    events.add(f.write(path, off, run));
                    editBytes += runLength;
                }
                f.append(events);
                f.compactAll();
            }
            byte[] rebuilt = f.rig.contentAt(path);
            if (!Arrays.equals(rebuilt, expected)) {
                throw new IllegalStateException("the last version does not rebuild to the bytes written");
            }
            // what the version index refers to, and how many distinct stored bytes that is (chunks counted once)
            ContentStore content = f.store.content();
            Set<ContentHash> seen = new HashSet<>();
            long unique = 0;
            for (Version v : f.store.versions(f.info.id()).history(path)) {
                VersionRecord rec = v.record();
                long[] k = kinds.computeIfAbsent(rec.kind(), x -> new long[2]);
                k[0]++;
                k[1] += rec.length();
                if (rec.content() != null && seen.add(rec.content())) {
                    List<ContentHash> parts = content.parts(rec.content());
                    if (parts.isEmpty()) {
                        unique += content.get(rec.content()).length;
                    }
                    for (ContentHash part : parts) {
                        if (seen.add(part)) {
                            unique += content.get(part).length;
                        }
                    }
                }
            }
            uniqueContent = unique;
            stateDir = f.stateDir;
        }
        long withWal = Fixture.sizeOf(stateDir);
        Fixture.flushByReopen0(stateDir);
        long flushed = Fixture.sizeOf(stateDir);
        Map<String, Long> parts = Fixture.breakdown(stateDir);

        // the in-run baseline: the final version alone, stored once in a fresh state dir
        long copy;
        Map<String, Long> copyParts;
        try (Fixture c = Fixture.create(work, "storage-copy").baseline()) {
            c.store.content().put(expected);
            c.close();
            Fixture.flushByReopen0(c.stateDir);
            copy = Fixture.sizeOf(c.stateDir);
            copyParts = Fixture.breakdown(c.stateDir);
        }
        long target = 2 * copy + editBytes;
        System.out.printf(Locale.ROOT, "[storage] %d MiB random file, %d versions of %d runs of %,d bytes (edits %,d bytes in all)%n",
                fileMiB, versions, runs, runLength, editBytes);
        kinds.forEach((k, v) -> System.out.printf(Locale.ROOT, "[storage]   %,d %s records, %,d bytes%n", v[0], k, v[1]));
        System.out.printf(Locale.ROOT, "[storage]   distinct content they refer to (chunks once): %,d bytes = %.2f copies%n",
                uniqueContent, (double) uniqueContent / size);
        System.out.printf(Locale.ROOT, "[storage] state dir right after close (WAL included): %,d bytes%n", withWal);
        System.out.printf(Locale.ROOT, "[storage] state dir after reopen (memtables flushed) and close: %,d bytes = %.2fx one copy%n",
                flushed, (double) flushed / copy);
        parts.forEach((k, v) -> System.out.printf(Locale.ROOT, "[storage]   %s: %,d%n", k, v));
        System.out.printf(Locale.ROOT, "[storage] one copy in a fresh state dir: %,d bytes%n", copy);
        copyParts.forEach((k, v) -> System.out.printf(Locale.ROOT, "[storage]   %s: %,d%n", k, v));
        System.out.printf(Locale.ROOT, "[storage] target 2 x copy + edits = %,d bytes: %s (%.2fx the target); load %s%n",
                target, flushed <= target ? "met" : "MISSED", (double) flushed / target, loadAverage());
    }

    // ---------------------------------------------------------------------------------------------------------

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String fmt(double[] values) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", v));
        }
        return b.toString();
    }
}
