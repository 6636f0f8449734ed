package dev.timemachine.store.rocks;

import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.util.Arrays;
import java.util.Objects;

/**
 * A batch encoded in Java, in RocksDB's own {@code WriteBatch} format, and handed to RocksDB in one call at
 * commit. Each JNI call costs about a microsecond, so building a native {@code WriteBatch} put by put would
 * cost more than the write itself; encoding here also means an abandoned batch holds no native memory.
 *
 * <p>Format (db/write_batch.cc): a 12-byte header (sequence number, fixed64, then count, fixed32, both
 * little-endian; the sequence is assigned by the write), then one record per operation: a tag byte, the
 * column family id as varint32 unless it is the default family, and length-prefixed (varint32) key, value or
 * range bounds.
 */
final class RocksBatch implements KvBatch {

    static final int HEADER = 12;
    private static final byte DELETE = 0x0;
    private static final byte PUT = 0x1;
    private static final byte CF_DELETE = 0x4;
    private static final byte CF_PUT = 0x5;
    private static final byte CF_DELETE_RANGE = 0xE;
    private static final byte DELETE_RANGE = 0xF;

    private final RocksKeyValueStore store;
    private byte[] buf;
    private int len = HEADER;
    private int count;
    private boolean done;

    /** {@code buffer}: where to encode, at least {@link #HEADER} bytes; grown as needed. */
    RocksBatch(RocksKeyValueStore store, byte[] buffer) {
        this.store = store;
        this.buf = buffer;
        Arrays.fill(buf, 0, HEADER, (byte) 0);
    }

    @Override
    public void put(Keyspace keyspace, byte[] key, byte[] value) {
        int cf = check(keyspace, key);
        Objects.requireNonNull(value, "value");
        tag(cf, PUT, CF_PUT, (long) key.length + value.length);
        bytes(key);
        bytes(value);
        count++;
    }

    @Override
    public void put(Keyspace keyspace, byte[] key, byte[] head, byte[] tail) {
        int cf = check(keyspace, key);
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(tail, "tail");
        tag(cf, PUT, CF_PUT, (long) key.length + head.length + tail.length);
        bytes(key);
        varint(head.length + tail.length);
        System.arraycopy(head, 0, buf, len, head.length);
        System.arraycopy(tail, 0, buf, len + head.length, tail.length);
        len += head.length + tail.length;
        count++;
    }

    @Override
    public void delete(Keyspace keyspace, byte[] key) {
        int cf = check(keyspace, key);
        tag(cf, DELETE, CF_DELETE, key.length);
        bytes(key);
        count++;
    }

    @Override
    public void deleteRange(Keyspace keyspace, byte[] fromInclusive, byte[] toExclusive) {
        int cf = check(keyspace, fromInclusive);
        store.checkKey(toExclusive);
        if (Arrays.compareUnsigned(fromInclusive, toExclusive) >= 0) {
            return; // an empty range: nothing to delete, and RocksDB rejects a range that ends before it starts
        }
        tag(cf, DELETE_RANGE, CF_DELETE_RANGE, (long) fromInclusive.length + toExclusive.length);
        bytes(fromInclusive);
        bytes(toExclusive);
        count++;
    }

    /** Fails on a finished batch or a bad key; returns the keyspace's column family id. */
    private int check(Keyspace keyspace, byte[] key) {
        if (done) {
            throw new IllegalStateException("batch already committed or closed");
        }
        store.checkKey(key);
        return store.columnFamilyId(keyspace);
    }

    /** Makes room for a record with {@code payload} bytes of keys and values and writes its tag. */
    private void tag(int cf, byte plainTag, byte cfTag, long payload) {
        ensure(len + 1 + 5 + 2 * 5 + payload);
        if (cf == 0) {
            buf[len++] = plainTag;
        } else {
            buf[len++] = cfTag;
            varint(cf);
        }
    }

    private void bytes(byte[] b) {
        varint(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void varint(int v) {
        while ((v & ~0x7F) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    private void ensure(long needed) {
        if (needed <= buf.length) {
            return;
        }
        if (needed > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("batch too large: more than 2 GiB; commit smaller batches");
        }
        buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * buf.length)));
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public void commit() {
        if (done) {
            throw new IllegalStateException("batch already committed or closed");
        }
        done = true;
        try {
            if (count > 0) {
                store.write(encoded());
            }
        } finally {
            release();
        }
    }

    /** Hands the buffer back to the store for the thread's next batch. */
    private void release() {
        if (buf != null) {
            store.recycle(buf);
            buf = null;
        }
    }

    /**
     * The batch in RocksDB's format, header included: a copy of exactly its length. rocksdbjni takes a whole
     * array (its native side copies the array whole, then the batch), so handing it the recycled, larger
     * buffer with a length costs more than this copy: tried, a compaction of small batches spent half its
     * time copying and faulting in the buffer's unused tail (BENCHMARKS.md, "End to end").
     */
    byte[] encoded() {
        writeCount();
        return Arrays.copyOf(buf, len);
    }

    private void writeCount() {
        buf[8] = (byte) count;
        buf[9] = (byte) (count >>> 8);
        buf[10] = (byte) (count >>> 16);
        buf[11] = (byte) (count >>> 24);
    }

    @Override
    public void close() {
        done = true;
        release();
    }
}
