package dev.timemachine.store.rocks;

import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.NativeLibraryCache;
import dev.timemachine.api.spi.StorageEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * The RocksDB engine, {@code rocks}: the write-heavy default. Each keyspace is a column family named after
 * it ({@code journal}, {@code content}, ...) and tuned for its access pattern (see {@code RocksTuning}).
 *
 * <p>Durability: a committed batch is in the write-ahead log, written but not fsynced, so it survives a
 * crash of the process; {@link KeyValueStore#sync()} (and a clean close) fsyncs the log, after which it also
 * survives a power loss. A database directory can be open for writing once at a time: RocksDB locks it, and a
 * second open, from this process or another, fails with a message saying so; read-only opens take no lock. No
 * options are read yet.
 */
public final class RocksStorageEngine implements StorageEngine {

    @Override
    public String name() {
        return "rocks";
    }

    @Override
    public KeyValueStore open(Path dir, Map<String, String> options) {
        Objects.requireNonNull(dir, "dir");
        loadLibrary();
        createDirectory(dir);
        return openDatabase(dir, false, SALVAGE.equals(options.get(WAL_RECOVERY))).orElseThrow();
    }

    /**
     * The setting {@code repair} opens a damaged store with: {@code salvage} replays the write-ahead log up to its
     * first damage and drops the rest (RocksDB's point-in-time recovery), which the next flush makes permanent.
     */
    public static final String WAL_RECOVERY = "rocks.walRecovery";
    public static final String SALVAGE = "salvage";

    /**
     * Opens the database read-only ({@code DB::OpenForReadOnly}): the write-ahead log is replayed into memory,
     * nothing in {@code dir} changes but RocksDB's info {@code LOG}, and any number of processes may do it at
     * once. Empty if a keyspace's column family does not exist yet.
     */
    @Override
    public Optional<KeyValueStore> openReadOnly(Path dir, Map<String, String> options) {
        Objects.requireNonNull(dir, "dir");
        loadLibrary();
        return openDatabase(dir, true, false);
    }

    private static Optional<KeyValueStore> openDatabase(Path dir, boolean readOnly, boolean salvage) {
        RocksTuning tuning = new RocksTuning(salvage);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            List<String> existing = existingFamilies(dir);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, tuning.plain()));
            List<String> ours = new ArrayList<>();
            for (Keyspace keyspace : Keyspace.values()) {
                if (readOnly && !existing.contains(familyName(keyspace))) {
                    tuning.close();
                    return Optional.empty(); // creating it is a write
                }
                ours.add(familyName(keyspace));
                descriptors.add(new ColumnFamilyDescriptor(utf8(familyName(keyspace)), tuning.columnFamily(keyspace)));
            }
            // RocksDB refuses to open a database without all its families (read-write; read-only may leave some
            // out): keep ones a newer version added.
            for (String family : readOnly ? List.<String>of() : existing) {
                if (!ours.contains(family) && !family.equals("default")) {
                    descriptors.add(new ColumnFamilyDescriptor(utf8(family), tuning.plain()));
                }
            }
            RocksDB db = readOnly ? RocksDB.openReadOnly(tuning.dbOptions(), dir.toString(), descriptors, handles)
                    : RocksDB.open(tuning.dbOptions(), dir.toString(), descriptors, handles);
            EnumMap<Keyspace, ColumnFamilyHandle> families = new EnumMap<>(Keyspace.class);
            for (Keyspace keyspace : Keyspace.values()) {
                families.put(keyspace, handles.get(1 + keyspace.ordinal()));
            }
            return Optional.of(new RocksKeyValueStore(dir, db, readOnly, tuning, families, handles));
        } catch (RocksDBException e) {
            handles.forEach(ColumnFamilyHandle::close);
            tuning.close();
            throw openFailure(dir, e);
        } catch (RuntimeException | Error e) {
            handles.forEach(ColumnFamilyHandle::close);
            tuning.close();
            throw e;
        }
    }

    /** {@code " (write-ahead log 000004.log)"}: where an open's corruption most often lies; empty if none. */
    private static String writeAheadLogs(Path dir) {
        try (var files = Files.list(dir)) {
            List<String> logs = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".log")).sorted()
                    .toList();
            return logs.isEmpty() ? "" : " (write-ahead log " + String.join(", ", logs) + ")";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    static String familyName(Keyspace keyspace) {
        return keyspace.name().toLowerCase(Locale.ROOT);
    }

    private static List<String> existingFamilies(Path dir) throws RocksDBException {
        List<String> names = new ArrayList<>();
        if (!Files.exists(dir.resolve("CURRENT"))) {
            return names;
        }
        try (Options options = new Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(options, dir.toString())) {
                names.add(new String(name, StandardCharsets.UTF_8));
            }
        }
        return names;
    }

    private static TimeMachineException openFailure(Path dir, RocksDBException e) {
        Status status = e.getStatus();
        String message = String.valueOf(e.getMessage());
        if (status != null && status.getCode() == Status.Code.IOError && message.contains("LOCK")) {
            return new TimeMachineException("RocksDB store " + dir + " is already open, by another process or"
                    + " elsewhere in this one (its LOCK file is held): " + RocksKeyValueStore.describe(e), e);
        }
        if (status != null && status.getCode() == Status.Code.Corruption) {
            // the write-ahead log is replayed with TolerateCorruptedTailRecords: only a record cut short at its end
            // (a crash) is let go; damage anywhere else stops the open, before anything is rewritten
            String logs = writeAheadLogs(dir);
            return new CorruptDataException(dir.toString(), "the RocksDB store is damaged, and was left as it is: "
                    + RocksKeyValueStore.describe(e) + logs
                    + (logs.isEmpty() ? "" : "; 'timemachine repair' keeps what the log holds before the damage"), e);
        }
        return new TimeMachineException("RocksDB store " + dir + ": cannot open: " + RocksKeyValueStore.describe(e), e);
    }

    private static void loadLibrary() {
        try {
            RocksNativeLibrary.load();
        } catch (RuntimeException | LinkageError e) {
            List<Path> cache = NativeLibraryCache.roots(System.getenv());
            throw new TimeMachineException("cannot load the RocksDB native library (it is kept in "
                    + (cache.isEmpty() ? "" : cache.get(0) + " or else ") + "extracted into java.io.tmpdir="
                    + System.getProperty("java.io.tmpdir") + ", which must be writable and not mounted noexec): " + e, e);
        }
    }

    /** Creates the directory owner-only: a recording can hold secrets (docs/architecture.md §9). */
    private static void createDirectory(Path dir) {
        try {
            if (Files.isDirectory(dir)) {
                return;
            }
            Files.createDirectories(dir.toAbsolutePath().getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw new TimeMachineException("RocksDB store " + dir + ": cannot open: it exists and is not a directory", e);
            }
        } catch (IOException e) {
            throw new TimeMachineException("RocksDB store " + dir + ": cannot create the directory: " + e, e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
