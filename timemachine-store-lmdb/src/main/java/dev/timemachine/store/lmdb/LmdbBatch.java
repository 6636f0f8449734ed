package dev.timemachine.store.lmdb;

import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

/**
 * Writes buffered in Java and applied in one LMDB write transaction at {@link #commit()}, so the write lock is
 * held only while applying and the transaction is begun and committed on the committing thread. Keys and
 * values are copied when added: the caller may reuse its arrays.
 */
final class LmdbBatch implements KvBatch {

    private enum Kind { PUT, DELETE, DELETE_RANGE }

    private record Op(Kind kind, Keyspace keyspace, byte[] key, byte[] valueOrEnd) {}

    private final LmdbStore store;
    private final List<Op> ops = new ArrayList<>();
    private boolean finished;

    LmdbBatch(LmdbStore store) {
        this.store = store;
    }

    @Override
    public void put(Keyspace keyspace, byte[] key, byte[] value) {
        ensureUsable();
        Objects.requireNonNull(keyspace, "keyspace");
        LmdbStore.checkKey(keyspace, key);
        Objects.requireNonNull(value, "value");
        ops.add(new Op(Kind.PUT, keyspace, key.clone(), value.clone()));
    }

    /** One copy, into the value the commit writes (the default would concatenate, then {@link #put} copy again). */
    @Override
    public void put(Keyspace keyspace, byte[] key, byte[] head, byte[] tail) {
        ensureUsable();
        Objects.requireNonNull(keyspace, "keyspace");
        LmdbStore.checkKey(keyspace, key);
        byte[] value = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, value, head.length, tail.length);
        ops.add(new Op(Kind.PUT, keyspace, key.clone(), value));
    }

    @Override
    public void delete(Keyspace keyspace, byte[] key) {
        ensureUsable();
        Objects.requireNonNull(keyspace, "keyspace");
        LmdbStore.checkKey(keyspace, key);
        ops.add(new Op(Kind.DELETE, keyspace, key.clone(), null));
    }

    @Override
    public void deleteRange(Keyspace keyspace, byte[] fromInclusive, byte[] toExclusive) {
        ensureUsable();
        Objects.requireNonNull(keyspace, "keyspace");
        ops.add(new Op(Kind.DELETE_RANGE, keyspace, LmdbStore.copy(fromInclusive), LmdbStore.copy(toExclusive)));
    }

    @Override
    public int size() {
        return ops.size();
    }

    @Override
    public void commit() {
        ensureUsable();
        finished = true;
        if (!ops.isEmpty()) {
            store.write(this);
        }
        ops.clear();
    }

    /** Discards the batch if it was not committed. Idempotent. */
    @Override
    public void close() {
        finished = true;
        ops.clear();
    }

    /**
     * Applies the operations in order. A put whose key is above the last key of its database uses
     * {@code MDB_APPEND}, which fills pages instead of splitting them (+47% on the journal); {@code last} only
     * ever overestimates the real last key (deletes do not lower it), which keeps every append legal.
     */
    void applyTo(Txn<byte[]> txn) {
        byte[][] last = new byte[Keyspace.values().length][];
        boolean[] known = new boolean[last.length];
        for (Op op : ops) {
            Dbi<byte[]> dbi = store.dbi(op.keyspace());
            int k = op.keyspace().ordinal();
            switch (op.kind()) {
                case PUT -> {
                    if (!known[k]) {
                        last[k] = lastKey(dbi, txn);
                        known[k] = true;
                    }
                    if (last[k] == null || Arrays.compareUnsigned(op.key(), last[k]) > 0) {
                        dbi.put(txn, op.key(), op.valueOrEnd(), PutFlags.MDB_APPEND);
                        last[k] = op.key();
                    } else {
                        dbi.put(txn, op.key(), op.valueOrEnd());
                    }
                }
                case DELETE -> dbi.delete(txn, op.key());
                case DELETE_RANGE -> deleteRange(dbi, txn, op.key(), op.valueOrEnd());
            }
        }
    }

    private static byte[] lastKey(Dbi<byte[]> dbi, Txn<byte[]> txn) {
        try (Cursor<byte[]> cursor = dbi.openCursor(txn)) {
            return cursor.last() ? cursor.key() : null;
        }
    }

    private static void deleteRange(Dbi<byte[]> dbi, Txn<byte[]> txn, byte[] from, byte[] to) {
        boolean noStart = from == null || from.length == 0;
        if (noStart && to == null) {
            dbi.drop(txn);
            return;
        }
        try (Cursor<byte[]> cursor = dbi.openCursor(txn)) {
            boolean found = noStart ? cursor.first() : cursor.get(from, GetOp.MDB_SET_RANGE);
            while (found && (to == null || Arrays.compareUnsigned(cursor.key(), to) < 0)) {
                cursor.delete();
                // after a delete LMDB leaves the cursor on the following entry; MDB_NEXT returns it
                found = cursor.next();
            }
        }
    }

    private void ensureUsable() {
        store.ensureOpen();
        if (finished) {
            throw new IllegalStateException("this batch was already committed or closed; start a new one");
        }
    }
}
