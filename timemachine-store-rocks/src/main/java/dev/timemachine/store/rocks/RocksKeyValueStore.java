package dev.timemachine.store.rocks;

import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A RocksDB database with one column family per keyspace.
 *
 * <p>Every call into RocksDB holds the read side of a lock whose write side {@link #close()} takes, so a close
 * racing with other threads waits for them instead of freeing native memory under them; afterwards every call
 * fails with {@link IllegalStateException}. Cursors still open at close are closed with the store.
 */
final class RocksKeyValueStore implements KeyValueStore {

    static final int MAX_KEY_SIZE = 8192;

    /** Batch buffers above this are not kept for reuse (a bulk import must not pin its memory). */
    private static final int MAX_SPARE_BUFFER = 64 << 20;

    private final Path dir;
    private final ThreadLocal<byte[]> spareBuffer = new ThreadLocal<>();
    private final RocksDB db;
    private final boolean readOnly;
    private final RocksTuning tuning;
    private final WriteOptions writeOptions;
    private final EnumMap<Keyspace, ColumnFamilyHandle> families;
    /** Column family ids indexed by keyspace ordinal, for encoding batches without a native call. */
    private final int[] familyIds;
    /** Every handle RocksDB returned at open, including families this version does not use. */
    private final List<ColumnFamilyHandle> allHandles;
    private final Set<RocksCursor> cursors = ConcurrentHashMap.newKeySet();
    private final Lock readLock;
    private final Lock writeLock;
    private volatile boolean closed;

    RocksKeyValueStore(Path dir, RocksDB db, boolean readOnly, RocksTuning tuning,
            EnumMap<Keyspace, ColumnFamilyHandle> families, List<ColumnFamilyHandle> allHandles) {
        this.dir = dir;
        this.readOnly = readOnly;
        this.db = db;
        this.tuning = tuning;
        this.writeOptions = tuning.writeOptions();
        this.families = families;
        this.allHandles = List.copyOf(allHandles);
        this.familyIds = new int[Keyspace.values().length];
        families.forEach((keyspace, handle) -> familyIds[keyspace.ordinal()] = handle.getID());
        ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        this.readLock = lock.readLock();
        this.writeLock = lock.writeLock();
    }

    @Override
    public byte[] get(Keyspace keyspace, byte[] key) {
        checkKey(key);
        ColumnFamilyHandle family = family(keyspace);
        enter();
        try {
            return db.get(family, key);
        } catch (RocksDBException e) {
            throw failure("read " + keyspace, e);
        } finally {
            exit();
        }
    }

    @Override
    public KvBatch batch() {
        ensureOpen();
        byte[] buffer = spareBuffer.get();
        spareBuffer.remove();
        return new RocksBatch(this, buffer != null ? buffer : new byte[4096]);
    }

    /**
     * Keeps a finished batch's buffer for the thread's next batch: the journal writes megabytes per batch, and
     * growing and zeroing a fresh array for each one showed among the appender's top costs.
     */
    void recycle(byte[] buffer) {
        if (buffer.length <= MAX_SPARE_BUFFER) {
            spareBuffer.set(buffer);
        }
    }

    @Override
    public KvCursor scan(Keyspace keyspace, byte[] fromInclusive, byte[] toExclusive) {
        ColumnFamilyHandle family = family(keyspace);
        if (fromInclusive != null) {
            checkKey(fromInclusive);
        }
        if (toExclusive != null) {
            checkKey(toExclusive);
        }
        enter();
        Slice upper = null;
        ReadOptions readOptions = null;
        try {
            readOptions = new ReadOptions();
            // The journal is read once, in order, by the compactor: keep it from evicting hot index blocks.
            readOptions.setFillCache(keyspace != Keyspace.JOURNAL);
            if (toExclusive != null) {
                upper = new Slice(toExclusive);
                readOptions.setIterateUpperBound(upper);
            }
            RocksCursor cursor = new RocksCursor(this, keyspace.toString(), readOptions, upper,
                    db.newIterator(family, readOptions), fromInclusive);
            cursors.add(cursor);
            return cursor;
        } catch (RuntimeException | Error e) {
            if (readOptions != null) {
                readOptions.close();
            }
            if (upper != null) {
                upper.close();
            }
            throw e;
        } finally {
            exit();
        }
    }

    @Override
    public void sync() {
        enter();
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw failure("sync the write-ahead log", e);
        } finally {
            exit();
        }
    }

    /** Flushes every memtable to table (and blob) files; tests use it to see where values land. */
    void flush() {
        enter();
        try (org.rocksdb.FlushOptions options = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
            db.flush(options, allHandles);
        } catch (RocksDBException e) {
            throw failure("flush", e);
        } finally {
            exit();
        }
    }

    @Override
    public int maxKeySize() {
        ensureOpen();
        return MAX_KEY_SIZE;
    }

    /**
     * Flushes the memtables to table files, so that what was written does not live in the write-ahead log alone
     * (a damaged log then loses nothing of a store closed cleanly), syncs the log (so a clean close is also safe
     * against a later power loss), then frees every native handle: open cursors, column families, the database,
     * and last the options they point into. A flush, sync or close that fails here (a full disk: RocksDB then
     * refuses to flush) is not an error of the close: every committed batch is in the write-ahead log as far as a
     * process crash is concerned, the next open replays it, and callers that need power-loss durability ask for
     * it with {@link #sync()}.
     */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (!readOnly) {
                try (org.rocksdb.FlushOptions options = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
                    db.flush(options, allHandles);
                } catch (RocksDBException e) {
                    // best effort, see above
                }
            }
            try {
                db.flushWal(true);
            } catch (RocksDBException e) {
                // best effort, see above
            }
            for (RocksCursor cursor : cursors) {
                cursor.release();
            }
            cursors.clear();
            for (ColumnFamilyHandle handle : allHandles) {
                handle.close();
            }
            try {
                db.closeE();
            } catch (RocksDBException e) {
                // best effort, see above; the native handle is released all the same
            }
            tuning.close();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "rocks:" + dir;
    }

    /** Applies one batch encoded by {@link RocksBatch}. */
    void write(byte[] encodedBatch) {
        enter();
        try (WriteBatch batch = new WriteBatch(encodedBatch)) {
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw failure("write a batch", e);
        } finally {
            exit();
        }
    }

    int columnFamilyId(Keyspace keyspace) {
        return familyIds[Objects.requireNonNull(keyspace, "keyspace").ordinal()];
    }

    void checkKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length > MAX_KEY_SIZE) {
            throw new IllegalArgumentException(
                    "key of " + key.length + " bytes exceeds the maximum of " + MAX_KEY_SIZE + " bytes");
        }
    }

    /** Takes the read side of the close lock; fails if the store is closed. Pair with {@link #exit()}. */
    void enter() {
        readLock.lock();
        if (closed) {
            readLock.unlock();
            throw closedException();
        }
    }

    void exit() {
        readLock.unlock();
    }

    void forget(RocksCursor cursor) {
        cursors.remove(cursor);
    }

    /** Wraps a RocksDB failure into a message that names the store, what was being done, and RocksDB's status. */
    TimeMachineException failure(String action, RocksDBException e) {
        return new TimeMachineException("RocksDB store " + dir + ": cannot " + action + ": " + describe(e), e);
    }

    static String describe(RocksDBException e) {
        Status status = e.getStatus();
        if (status == null) {
            return e.getMessage();
        }
        String state = status.getState() == null ? e.getMessage() : status.getState();
        return status.getCodeString() + (state == null ? "" : " (" + state + ")");
    }

    /** Used by tests: how many cursors are open. */
    int openCursors() {
        return cursors.size();
    }

    ColumnFamilyHandle family(Keyspace keyspace) {
        return families.get(Objects.requireNonNull(keyspace, "keyspace"));
    }

    private void ensureOpen() {
        if (closed) {
            throw closedException();
        }
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("RocksDB store " + dir + " is closed");
    }
}
