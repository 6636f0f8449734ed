package dev.timemachine.store.rocks;

import dev.timemachine.api.spi.KvCursor;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * A range scan over one column family. The iterator is created (and positioned) by the constructor: a RocksDB
 * iterator pins the state of the database at creation, which is the snapshot the SPI promises, so no explicit
 * {@code Snapshot} is needed. The upper bound is handed to RocksDB so it stops at the end of the range
 * instead of reading on (and over range tombstones) past it.
 *
 * <p>Native handles: the iterator, its read options and the bound slice, freed in that order. The store
 * frees them itself if it is closed first, so {@link #release()} is synchronized and idempotent.
 */
final class RocksCursor implements KvCursor {

    private final RocksKeyValueStore store;
    private final String what;
    private final Slice upperBound;
    private final ReadOptions readOptions;
    private final RocksIterator iterator;
    private boolean started;
    private boolean closed;
    private byte[] key;
    private byte[] value;

    /** Takes ownership of {@code readOptions} and {@code upperBound} (which may be null). */
    RocksCursor(RocksKeyValueStore store, String what, ReadOptions readOptions, Slice upperBound,
            RocksIterator iterator, byte[] fromInclusive) {
        this.store = store;
        this.what = what;
        this.readOptions = readOptions;
        this.upperBound = upperBound;
        this.iterator = iterator;
        if (fromInclusive == null) {
            iterator.seekToFirst();
        } else {
            iterator.seek(fromInclusive);
        }
    }

    @Override
    public boolean next() {
        store.enter();
        try {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("cursor is closed");
                }
                if (started) {
                    if (key == null) {
                        return false;
                    }
                    iterator.next();
                }
                started = true;
                if (!iterator.isValid()) {
                    key = null;
                    value = null;
                    iterator.status(); // an invalid iterator is either at the end or failed; this says which
                    return false;
                }
                key = iterator.key();
                value = iterator.value();
                return true;
            }
        } catch (RocksDBException e) {
            throw store.failure("scan " + what, e);
        } finally {
            store.exit();
        }
    }

    @Override
    public byte[] key() {
        return current(key);
    }

    @Override
    public byte[] value() {
        return current(value);
    }

    private byte[] current(byte[] field) {
        if (closed) {
            throw new IllegalStateException("cursor is closed");
        }
        if (field == null) {
            throw new IllegalStateException(started ? "cursor is past the end of its range" : "call next() first");
        }
        return field;
    }

    @Override
    public void close() {
        release();
        store.forget(this);
    }

    /** Frees the native handles; called by {@link #close()} or by the store when it closes first. */
    synchronized void release() {
        if (closed) {
            return;
        }
        closed = true;
        key = null;
        value = null;
        iterator.close();
        readOptions.close();
        if (upperBound != null) {
            upperBound.close();
        }
    }
}
