package dev.timemachine.core;

import dev.timemachine.api.NotAStateDirException;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.UnknownNameException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.StorageEngine;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Opens state dirs. A state dir holds a marker file naming its engine and format, and the engine's files
 * under {@code db/}. Engines are found with {@link ServiceLoader} and chosen by name.
 */
final class Stores {
    /** The engine used when none is named. */
    static final String DEFAULT_ENGINE = "rocks";
    /** The storage format this code reads and writes. */
    static final int FORMAT = 2;
    /**
     * The older format this code still opens: format 1 kept every payload in the engine. Opening such a state dir
     * makes it format 2, since what is written from then on may be of format 2 (docs/storage.md).
     */
    private static final int PREVIOUS_FORMAT = 1;

    static final String MARKER = "timemachine.properties";

    private Stores() {
    }

    /** The names of every engine on the class path, sorted. */
    static List<String> engineNames() {
        return new ArrayList<>(engines().keySet());
    }

    /**
     * The engine called {@code name}.
     *
     * @throws UnknownNameException listing the available names if there is none
     */
    static StorageEngine engine(String name) {
        StorageEngine e = engines().get(name);
        if (e == null) {
            throw new UnknownNameException("store", name, engineNames());
        }
        return e;
    }

    /** Whether {@code dir} holds a state dir. */
    static boolean isStateDir(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER));
    }

    /**
     * Opens an existing state dir with the engine it was created with.
     *
     * @throws NotAStateDirException if {@code dir} is not a state dir of a format this code reads
     */
    static KvTimeMachineStore open(Path dir, Map<String, String> options) {
        requireStateDir(dir);
        checkFormat(dir);
        String engineName = readMarker(dir).getProperty("engine", "");
        StorageEngine engine = engines().get(engineName);
        if (engine == null) {
            throw new NotAStateDirException(dir, "it uses engine '" + engineName + "', which is not available (available: "
                    + String.join(", ", engineNames()) + ")");
        }
        return openWith(engine, dir, options);
    }

    /**
     * Opens the state dir in {@code dir}, creating it (mode 0700) with engine {@code engineName} if it does not
     * exist or is empty.
     *
     * @param engineName the engine for a new state dir; {@code null} means {@link #DEFAULT_ENGINE}. For an
     *                   existing state dir it must match the engine the dir was created with, or be {@code null}.
     * @throws UnknownNameException  if no engine has that name
     * @throws NotAStateDirException if {@code dir} holds something else, or another engine's store
     */
    static KvTimeMachineStore openOrCreate(Path dir, String engineName, Map<String, String> options) {
        if (isStateDir(dir)) {
            if (engineName == null) {
                return open(dir, options);
            }
            return openOrCreate(dir, engine(engineName), options);
        }
        return create(dir, engine(engineName == null ? DEFAULT_ENGINE : engineName), options);
    }

    private static KvTimeMachineStore create(Path dir, StorageEngine engine, Map<String, String> options) {
        try {
            if (Files.exists(dir)) {
                if (!Files.isDirectory(dir)) {
                    throw new NotAStateDirException(dir, "it is not a directory");
                }
                try (var entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new NotAStateDirException(dir, "it is a non-empty directory without " + MARKER);
                    }
                }
            } else if (Files.isSymbolicLink(dir)) {
                throw new NotAStateDirException(dir, missing(dir));
            } else {
                Files.createDirectories(dir);
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new TimeMachineException("cannot create state dir " + dir + ": " + e.getMessage(), e);
        }
        KvTimeMachineStore store = openWith(engine, dir, options);
        try {
            writeMarker(dir, engine.name());
            return store;
        } catch (IOException e) {
            throw Closeables.closeAfter(new TimeMachineException("cannot create state dir " + dir + ": "
                    + e.getMessage(), e), store);
        } catch (RuntimeException e) {
            throw Closeables.closeAfter(e, store);
        }
    }

    /**
     * Opens or creates the state dir in {@code dir} with the given engine instance, whether or not it is
     * registered with {@link ServiceLoader}. Reopen such a dir the same way.
     *
     * @throws NotAStateDirException if {@code dir} holds something else, or another engine's store
     */
    static KvTimeMachineStore openOrCreate(Path dir, StorageEngine engine, Map<String, String> options) {
        if (isStateDir(dir)) {
            String existing = readMarker(dir).getProperty("engine");
            if (!engine.name().equals(existing)) {
                throw new NotAStateDirException(dir, "it was created with engine '" + existing + "', not '" + engine.name() + "'");
            }
            checkFormat(dir);
            return openWith(engine, dir, options);
        }
        return create(dir, engine, options);
    }

    /**
     * Opens an existing state dir for reading only, beside other readers: a shared lock, the engine's read-only
     * open, and whatever the caller writes kept in memory. Empty when it cannot be read that way as it is, so
     * the caller opens it for writing instead: an engine without a read-only open, a format to upgrade, a
     * keyspace to create, or no lock file yet.
     *
     * @param engineName the engine it must have been created with, or {@code null} for any
     * @param engine     an engine instance to use rather than the one registered by the dir's name, or {@code null}
     * @throws NotAStateDirException if {@code dir} is not a state dir of a format this code reads
     * @throws TimeMachineException  if another process has it open for writing
     */
    static Optional<KvTimeMachineStore> openShared(Path dir, String engineName, StorageEngine engine,
                                                   Map<String, String> options) {
        requireStateDir(dir);
        checkFormat(dir);
        Properties marker = readMarker(dir);
        String existing = marker.getProperty("engine", "");
        StorageEngine e = engine != null ? engine : engines().get(existing);
        if (e == null || !e.name().equals(existing) || (engineName != null && !engineName.equals(existing))
                || !String.valueOf(FORMAT).equals(marker.getProperty("format"))) {
            return Optional.empty(); // the read-write open says why, or upgrades
        }
        Optional<StateDirLock> lock = StateDirLock.acquireShared(dir);
        if (lock.isEmpty()) {
            return Optional.empty();
        }
        Optional<KeyValueStore> kv;
        try {
            kv = e.openReadOnly(dir.resolve("db"), options);
        } catch (RuntimeException failure) {
            throw Closeables.closeAfter(failure, lock.get());
        }
        if (kv.isEmpty()) {
            lock.get().close();
            return Optional.empty();
        }
        try {
            byte[] key = MetaCodec.settingKey(MetaCodec.FORMAT);
            byte[] v = kv.get().get(Keyspace.META, key);
            if (v == null || MetaCodec.setting(key, v) != FORMAT) {
                Closeables.closeAll(kv.get(), lock.get());
                return Optional.empty();
            }
            return Optional.of(new KvTimeMachineStore(e.name(), new OverlayKeyValueStore(kv.get()), lock.get(),
                    new Segments(dir.resolve("segments"), kv.get())));
        } catch (RuntimeException failure) {
            throw Closeables.closeAfter(failure, kv.get(), lock.get());
        }
    }

    private static void checkFormat(Path dir) {
        String format = readMarker(dir).getProperty("format");
        if (!String.valueOf(FORMAT).equals(format) && !String.valueOf(PREVIOUS_FORMAT).equals(format)) {
            throw new NotAStateDirException(dir, "format " + format + " is not supported (this version reads "
                    + PREVIOUS_FORMAT + " and " + FORMAT + ")");
        }
    }

    /** Writes the marker, atomically: a directory without it is not a state dir. */
    private static void writeMarker(Path dir, String engine) throws IOException {
        Properties marker = new Properties();
        marker.setProperty("engine", engine);
        marker.setProperty("format", String.valueOf(FORMAT));
        Path tmp = dir.resolve(MARKER + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            marker.store(w, "Time Machine state dir");
        }
        Files.move(tmp, dir.resolve(MARKER), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static KvTimeMachineStore openWith(StorageEngine engine, Path dir, Map<String, String> options) {
        StateDirLock lock = StateDirLock.acquire(dir);
        KeyValueStore kv;
        try {
            kv = engine.open(dir.resolve("db"), options);
        } catch (RuntimeException e) {
            throw Closeables.closeAfter(e, lock);
        }
        try {
            byte[] key = MetaCodec.settingKey(MetaCodec.FORMAT);
            byte[] v = kv.get(Keyspace.META, key);
            long stored = v == null ? PREVIOUS_FORMAT : MetaCodec.setting(key, v);
            if (stored != FORMAT && stored != PREVIOUS_FORMAT) {
                throw new NotAStateDirException(dir, "its store has format " + stored + ", this version reads "
                        + PREVIOUS_FORMAT + " and " + FORMAT);
            }
            if (v == null || stored != FORMAT) {
                try (KvBatch batch = kv.batch()) {
                    batch.put(Keyspace.META, key, MetaCodec.settingValue(FORMAT));
                    batch.commit();
                }
            }
            if (isStateDir(dir) && !String.valueOf(FORMAT).equals(readMarker(dir).getProperty("format"))) {
                writeMarker(dir, engine.name());
            }
            return new KvTimeMachineStore(engine.name(), kv, lock, new Segments(dir.resolve("segments"), kv));
        } catch (IOException e) {
            throw Closeables.closeAfter(new TimeMachineException("cannot update " + dir.resolve(MARKER) + ": "
                    + e.getMessage(), e), kv, lock);
        } catch (RuntimeException e) {
            throw Closeables.closeAfter(e, kv, lock);
        }
    }

    /** @throws NotAStateDirException saying why, unless {@code dir} holds a state dir's marker */
    static void requireStateDir(Path dir) {
        if (!isStateDir(dir)) {
            throw new NotAStateDirException(dir, Files.exists(dir) ? "no " + MARKER + " in it" : missing(dir));
        }
    }

    /** Why {@code dir}, which does not exist, is not a state dir: a dangling symlink says where it points. */
    private static String missing(Path dir) {
        try {
            return Files.isSymbolicLink(dir) ? "it is a symlink to " + Files.readSymbolicLink(dir) + ", which does not exist"
                    : "it does not exist";
        } catch (IOException e) {
            return "it does not exist";
        }
    }

    private static Properties readMarker(Path dir) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(MARKER))) {
            p.load(r);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new NotAStateDirException(dir, "its " + MARKER + " is damaged: it is not text");
        } catch (IOException | IllegalArgumentException e) {
            // IllegalArgumentException: a malformed \\uXXXX escape
            throw new NotAStateDirException(dir, "cannot read " + MARKER + ": " + e.getMessage());
        }
        return p;
    }

    private static Map<String, StorageEngine> engines() {
        Map<String, StorageEngine> byName = new TreeMap<>();
        for (StorageEngine e : ServiceLoader.load(StorageEngine.class)) {
            byName.putIfAbsent(e.name(), e);
        }
        return byName;
    }
}
