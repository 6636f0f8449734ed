package dev.timemachine.store.lmdb;

import dev.timemachine.api.spi.KvCursor;
import java.util.Arrays;
import org.lmdbjava.Cursor;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;

/**
 * A range scan on its own read transaction, which is the snapshot: later commits are not seen.
 *
 * <p>An open read transaction pins the pages of its snapshot, so while it lives LMDB cannot reuse pages freed
 * by later commits and the file grows. The cursor therefore gives its transaction back as soon as the range
 * is exhausted, not only at {@link #close()}; callers should still not keep a cursor open across long pauses.
 */
final class LmdbCursor implements KvCursor {

    private final LmdbStore store;
    private final byte[] from;
    private final byte[] to;
    private Txn<byte[]> txn;
    private Cursor<byte[]> cursor;
    private boolean started;
    private boolean exhausted;
    private boolean closed;
    private byte[] key;
    private byte[] value;

    LmdbCursor(LmdbStore store, Txn<byte[]> txn, Cursor<byte[]> cursor, byte[] from, byte[] to) {
        this.store = store;
        this.txn = txn;
        this.cursor = cursor;
        this.from = from;
        this.to = to;
    }

    @Override
    public boolean next() {
        if (closed) {
            throw new IllegalStateException("cursor is closed");
        }
        return store.whileOpen(() -> {
            if (exhausted) {
                return false;
            }
            boolean found;
            if (started) {
                found = cursor.next();
            } else {
                started = true;
                found = from == null || from.length == 0 ? cursor.first() : cursor.get(from, GetOp.MDB_SET_RANGE);
            }
            if (found && (to == null || Arrays.compareUnsigned(cursor.key(), to) < 0)) {
                key = cursor.key();
                value = cursor.val();
                return true;
            }
            exhausted = true;
            key = null;
            value = null;
            store.release(this);
            return false;
        }, "scan");
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
        store.ensureOpen();
        if (field == null) {
            throw new IllegalStateException(exhausted
                    ? "cursor is past the end of its range" : "call next() before reading the cursor");
        }
        return field;
    }

    /** Gives back the read transaction. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        key = null;
        value = null;
        store.release(this);
    }

    /** Ends the native cursor and the read transaction; the store calls it under its lifecycle lock. */
    void release() {
        if (txn != null) {
            try {
                cursor.close();
            } finally {
                txn.close();
                txn = null;
                cursor = null;
            }
        }
    }
}
