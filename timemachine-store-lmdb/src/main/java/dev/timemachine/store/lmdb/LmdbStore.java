package dev.timemachine.store.lmdb;

import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * A {@link KeyValueStore} on one LMDB environment. Every keyspace is a named database with LMDB's default
 * ordering (unsigned bytes, shorter first on a tie).
 *
 * <p>Concurrency: a read-write lock guards the environment's life, so no LMDB call can run while {@link #close()}
 * frees it (that would crash the JVM rather than throw); commits additionally take the single writer lock.
 * The environment uses {@code MDB_NOTLS}, so a cursor's read transaction may move between threads.
 */
final class LmdbStore implements KeyValueStore {

    static final int MAX_KEY_SIZE = 511;

    enum SyncMode {
        NONE(EnvFlags.MDB_NOSYNC), NOMETASYNC(EnvFlags.MDB_NOMETASYNC), FULL(null);

        final EnvFlags flag;

        SyncMode(EnvFlags flag) {
            this.flag = flag;
        }
    }

    record Config(long mapSize, int maxReaders, SyncMode sync) {}

    /** LMDB forbids opening one environment twice in a process: its POSIX locks would be released early. */
    private static final Set<Path> OPEN_DIRS = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Config config;
    private final Env<byte[]> env;
    private final Map<Keyspace, Dbi<byte[]>> dbis;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Lock writer = new ReentrantLock();
    private final Set<LmdbCursor> openCursors = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private LmdbStore(Path dir, Config config, Env<byte[]> env, Map<Keyspace, Dbi<byte[]>> dbis) {
        this.dir = dir;
        this.config = config;
        this.env = env;
        this.dbis = dbis;
    }

    static LmdbStore open(Path requested, Config config) {
        return open(createDir(requested), config, false);
    }

    /**
     * Opens the environment in {@code dir} read-only, without its lock file ({@code MDB_NOLOCK}): the caller
     * holds off every writer, so readers need not register, and nothing in {@code dir} is written. Empty if a
     * keyspace's database does not exist yet (creating it is a write).
     */
    static Optional<LmdbStore> openReadOnly(Path dir, Config config) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new TimeMachineException("cannot open LMDB store " + dir + ": " + e, e);
        }
        try {
            return Optional.of(open(real, config, true));
        } catch (MissingDatabase e) {
            return Optional.empty();
        }
    }

    /** A keyspace's database is missing in an environment opened read-only. */
    private static final class MissingDatabase extends RuntimeException {
        MissingDatabase(Throwable cause) {
            super(cause);
        }
    }

    private static LmdbStore open(Path dir, Config config, boolean readOnly) {
        if (!OPEN_DIRS.add(dir)) {
            throw new TimeMachineException("LMDB store " + dir + " is already open in this process; close it first");
        }
        Env<byte[]> env = null;
        try {
            checkDataFile(dir.resolve("data.mdb"));
            List<EnvFlags> flags = new ArrayList<>(List.of(EnvFlags.MDB_NOTLS));
            if (readOnly) {
                flags.addAll(List.of(EnvFlags.MDB_RDONLY_ENV, EnvFlags.MDB_NOLOCK));
            } else if (config.sync().flag != null) {
                flags.add(config.sync().flag);
            }
            env = Env.create(ScratchArrayProxy.INSTANCE)
                    .setMapSize(config.mapSize())
                    .setMaxDbs(Keyspace.values().length)
                    .setMaxReaders(config.maxReaders())
                    .open(dir.toFile(), 0600, flags.toArray(EnvFlags[]::new));
            Map<Keyspace, Dbi<byte[]>> dbis = new EnumMap<>(Keyspace.class);
            if (readOnly) {
                for (Keyspace keyspace : Keyspace.values()) {
                    try {
                        dbis.put(keyspace, env.openDbi(keyspace.prefix()));
                    } catch (Dbi.KeyNotFoundException e) {
                        throw new MissingDatabase(e);
                    }
                }
            } else {
                // reader slots of a process that was killed stay taken until someone checks
                env.readerCheck();
                for (Keyspace keyspace : Keyspace.values()) {
                    dbis.put(keyspace, env.openDbi(keyspace.prefix(), DbiFlags.MDB_CREATE));
                }
            }
            return new LmdbStore(dir, config, env, dbis);
        } catch (LmdbException | UnsatisfiedLinkError e) {
            if (env != null) {
                env.close();
            }
            OPEN_DIRS.remove(dir);
            throw new TimeMachineException("cannot open LMDB store " + dir + ": " + e, e);
        } catch (RuntimeException | Error e) {
            if (env != null) {
                env.close();
            }
            OPEN_DIRS.remove(dir);
            throw e;
        }
    }

    /** LMDB's meta page: {@code mm_magic}, the page size ({@code mm_dbs[FREE_DBI].md_pad}), mm_last_pg, mm_txnid. */
    private static final int META_MAGIC = 16;
    private static final int META_PAGE_SIZE = 40;
    private static final int META_LAST_PAGE = 136;
    private static final int META_TXNID = 144;
    private static final int MDB_MAGIC = 0xBEEFC0DE;

    /**
     * Refuses a data file shorter than its newest meta page says it is: LMDB maps the file and would read past its
     * end, which kills the JVM (SIGBUS) instead of failing. A file not created yet, or empty, is LMDB's to set up.
     */
    static void checkDataFile(Path data) {
        long size;
        ByteBuffer head = ByteBuffer.allocate(META_TXNID + 8).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
            size = ch.size();
            if (size == 0) {
                return;
            }
            long newest = -1;
            long needed = -1;
            long pageSize = 0;
            for (int meta = 0; meta < 2; meta++) {
                head.clear();
                ch.read(head, meta * pageSize);
                if (head.position() < head.capacity() || head.getInt(META_MAGIC) != MDB_MAGIC) {
                    throw new CorruptDataException(data.toString(), "not an LMDB data file, or its meta page "
                            + meta + " is damaged (" + size + " bytes)");
                }
                pageSize = Integer.toUnsignedLong(head.getInt(META_PAGE_SIZE));
                if (pageSize < 512 || pageSize > (1 << 16) || Long.bitCount(pageSize) != 1) {
                    throw new CorruptDataException(data.toString(), "its meta page " + meta + " names a page size of "
                            + pageSize + " bytes: damaged");
                }
                long txnid = head.getLong(META_TXNID);
                if (txnid > newest) {
                    newest = txnid;
                    needed = (head.getLong(META_LAST_PAGE) + 1) * pageSize;
                }
            }
            if (size < needed) {
                throw new CorruptDataException(data.toString(), "is " + size + " bytes, but its meta page says it holds "
                        + needed + ": the file was cut short");
            }
        } catch (NoSuchFileException e) {
            // a new environment
        } catch (IOException e) {
            throw new TimeMachineException("cannot read LMDB data file " + data + ": " + e, e);
        }
    }

    private static Path createDir(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                    // a recording can hold secrets
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
            }
            return dir.toRealPath();
        } catch (IOException e) {
            throw new TimeMachineException("cannot create LMDB store directory " + dir + ": " + e, e);
        }
    }

    @Override
    public byte[] get(Keyspace keyspace, byte[] key) {
        return whileOpen(() -> {
            checkKey(keyspace, key);
            try (Txn<byte[]> txn = env.txnRead()) {
                return dbi(keyspace).get(txn, key);
            }
        }, "get");
    }

    @Override
    public KvBatch batch() {
        ensureOpen();
        return new LmdbBatch(this);
    }

    @Override
    public KvCursor scan(Keyspace keyspace, byte[] fromInclusive, byte[] toExclusive) {
        return whileOpen(() -> {
            Objects.requireNonNull(keyspace, "keyspace");
            Txn<byte[]> txn = env.txnRead();
            try {
                LmdbCursor cursor = new LmdbCursor(this, txn, dbi(keyspace).openCursor(txn),
                        copy(fromInclusive), copy(toExclusive));
                openCursors.add(cursor);
                return cursor;
            } catch (RuntimeException e) {
                txn.close();
                throw e;
            }
        }, "scan");
    }

    @Override
    public void sync() {
        whileOpen(() -> {
            env.sync(true);
            return null;
        }, "sync");
    }

    @Override
    public int maxKeySize() {
        ensureOpen();
        return MAX_KEY_SIZE;
    }

    /**
     * Closes the environment. Waits for gets, cursor steps and a commit in progress; aborts the read
     * transactions of cursors still open, which then fail on use. Idempotent.
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (LmdbCursor cursor : openCursors) {
                cursor.release();
            }
            openCursors.clear();
            env.close();
        } catch (LmdbException e) {
            throw failure("close", e);
        } finally {
            OPEN_DIRS.remove(dir);
            lifecycle.writeLock().unlock();
        }
    }

    /** Applies one batch in one write transaction; see {@link LmdbBatch}. */
    void write(LmdbBatch batch) {
        whileOpen(() -> {
            writer.lock();
            // LMDB write transactions belong to the thread that began them: begin and commit here
            try (Txn<byte[]> txn = env.txnWrite()) {
                batch.applyTo(txn);
                txn.commit();
            } finally {
                writer.unlock();
            }
            return null;
        }, "commit");
    }

    /** Runs {@code action} while the environment is guaranteed open, translating LMDB failures. */
    <T> T whileOpen(Supplier<T> action, String what) {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            return action.get();
        } catch (LmdbException e) {
            throw failure(what, e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    Dbi<byte[]> dbi(Keyspace keyspace) {
        return dbis.get(Objects.requireNonNull(keyspace, "keyspace"));
    }

    /** Gives back a cursor's read transaction, unless {@link #close()} already did. */
    void release(LmdbCursor cursor) {
        lifecycle.readLock().lock();
        try {
            if (!closed) {
                cursor.release();
            }
        } catch (LmdbException e) {
            throw failure("cursor close", e);
        } finally {
            openCursors.remove(cursor);
            lifecycle.readLock().unlock();
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("LMDB store " + dir + " is closed");
        }
    }

    static void checkKey(Keyspace keyspace, byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length == 0 || key.length > MAX_KEY_SIZE) {
            throw new IllegalArgumentException(String.format(
                    "LMDB keys are 1 to %d bytes; got %d bytes in keyspace %s (long paths must be interned)",
                    MAX_KEY_SIZE, key.length, keyspace));
        }
    }

    static byte[] copy(byte[] bytes) {
        return bytes == null ? null : bytes.clone();
    }

    private TimeMachineException failure(String what, LmdbException e) {
        String hint = "";
        if (e instanceof Env.MapFullException) {
            hint = " (the map of " + config.mapSize() + " bytes is full: raise " + LmdbStorageEngine.MAP_SIZE + ")";
        } else if (e instanceof Env.ReadersFullException) {
            hint = " (" + config.maxReaders() + " read transactions are open: close cursors or raise "
                    + LmdbStorageEngine.MAX_READERS + ")";
        } else if (e instanceof Txn.TxFullException) {
            hint = " (the batch dirties too many pages for one transaction: commit smaller batches)";
        }
        return new TimeMachineException("LMDB " + what + " failed in " + dir + ": " + e.getMessage() + hint, e);
    }
}
