package dev.timemachine.bench.pipeline;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Journal;
import dev.timemachine.api.Op;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.core.CompactionRig;
import dev.timemachine.core.TimeMachine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * One state dir on real RocksDB with one recording whose root is an (initially empty) real directory: the
 * baseline, the journal and the compactor are built by core's {@link CompactionRig} exactly as the recorder
 * builds them, and events go through the public journal. Synthetic events carry strictly increasing
 * timestamps, {@link #STEP_NS} apart.
 */
final class Fixture implements AutoCloseable {
    static final long STEP_NS = 1_000;
    static final int BATCH = 1_000;

    final Path base;
    final Path root;
    final Path stateDir;
    final long startNs;
    CompactionRig rig;
    TimeMachineStore store;
    RecordingInfo info;
    Journal journal;
    /** The timestamp of the last event handed out. */
    long clock;

    private Fixture(Path base) throws IOException {
        this.base = base;
        this.root = Files.createDirectories(base.resolve("root")).toRealPath();
        this.stateDir = base.resolve("state");
        this.startNs = System.nanoTime();
        this.clock = startNs;
    }

    /** A fresh fixture under {@code work/name}; call {@link #baseline()} once the root holds what it should. */
    static Fixture create(Path work, String name) throws IOException {
        Path base = work.resolve(name);
        deleteTree(base);
        return new Fixture(Files.createDirectories(base));
    }

    /** Opens the state dir, registers the recording, scans the root and builds the compactor. */
    Fixture baseline() {
        rig = CompactionRig.create(stateDir, "rocks", root, startNs, Clock.systemUTC());
        store = rig.store();
        info = rig.recording();
        journal = rig.journal();
        return this;
    }

    byte[] path(String relative) {
        return (root + "/" + relative).getBytes(StandardCharsets.UTF_8);
    }

    long tick() {
        clock += STEP_NS;
        return clock;
    }

    FsEvent create(byte[] path) {
        return new FsEvent(tick(), 4242, 4242, Op.CREATE, path, null, 0, 0, 0100644, null, 0);
    }

    FsEvent mkdir(byte[] path) {
        return new FsEvent(tick(), 4242, 4242, Op.MKDIR, path, null, 0, 0, 040755, null, FsEvent.FLAG_DIRECTORY);
    }

    FsEvent write(byte[] path, long offset, byte[] payload) {
        return FsEvent.write(tick(), 4242, path, offset, payload);
    }

    /** Appends {@code events} in batches of {@link #BATCH}; returns the nanoseconds spent inside {@code append}. */
    long append(List<FsEvent> events) {
        long spent = 0;
        for (int i = 0; i < events.size(); i += BATCH) {
            List<FsEvent> batch = events.subList(i, Math.min(events.size(), i + BATCH));
            long t0 = System.nanoTime();
            journal.append(batch);
            spent += System.nanoTime() - t0;
        }
        return spent;
    }

    /** Compacts everything journaled; returns the nanoseconds it took. */
    long compactAll() {
        long t0 = System.nanoTime();
        long cpu0 = threadCpu();
        long proc0 = processCpu();
        rig.compactUpTo(Long.MAX_VALUE);
        lastCompactThreadCpuNs = threadCpu() - cpu0;
        lastCompactProcessCpuNs = processCpu() - proc0;
        return System.nanoTime() - t0;
    }

    /** CPU time of the compacting thread, and of the whole process (RocksDB's flush threads too), in the last {@link #compactAll()}. */
    long lastCompactThreadCpuNs;
    long lastCompactProcessCpuNs;

    static long threadCpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Closes the store (WAL synced, memtables not flushed). */
    @Override
    public void close() {
        if (rig != null) {
            rig.close();
            rig = null;
        }
    }

    /** Reopens and closes the state dir: WAL recovery flushes every memtable into table and blob files. */
    static void flushByReopen0(Path stateDir) {
        TimeMachine.open(stateDir).close();
    }

    /** Bytes of every file under {@code dir}. */
    static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /**
     * Where the bytes of a closed RocksDB state dir are: table files per column family (from the live file
     * metadata of a read-only open), blob files, WAL, and the rest (manifest, options, logs).
     */
    static Map<String, Long> breakdown(Path stateDir) throws Exception {
        Path db = stateDir.resolve("db");
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        RocksDB.loadLibrary();
        List<byte[]> names;
        try (Options o = new Options()) {
            names = RocksDB.listColumnFamilies(o, db.toString());
        }
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (byte[] n : names) {
            descriptors.add(new ColumnFamilyDescriptor(n));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        Map<String, Long> sst = new HashMap<>();
        try (DBOptions o = new DBOptions(); RocksDB rocks = RocksDB.openReadOnly(o, db.toString(), descriptors, handles)) {
            for (LiveFileMetaData f : rocks.getLiveFilesMetaData()) {
                sst.merge("sst " + new String(f.columnFamilyName(), StandardCharsets.UTF_8), f.size(), Long::sum);
            }
            handles.forEach(ColumnFamilyHandle::close);
        }
        new java.util.TreeMap<>(sst).forEach(out::put);
        long blobs = 0;
        long wal = 0;
        long all = 0;
        try (Stream<Path> files = Files.list(db)) {
            for (Path p : files.toList()) {
                long size = p.toFile().length();
                all += size;
                String name = p.getFileName().toString();
                if (name.endsWith(".blob")) {
                    blobs += size;
                } else if (name.endsWith(".log") && !name.startsWith("LOG")) {
                    wal += size;
                }
            }
        }
        out.put("blob files", blobs);
        out.put("WAL", wal);
        long tables = sst.values().stream().mapToLong(Long::longValue).sum();
        out.put("other (manifest, options, info logs)", all - tables - blobs - wal);
        return out;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
