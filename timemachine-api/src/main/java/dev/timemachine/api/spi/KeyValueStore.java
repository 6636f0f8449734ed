package dev.timemachine.api.spi;

/**
 * The narrow ordered key-value contract each storage engine implements; the journal, content store and
 * version index are written once on top of it.
 *
 * <p>Keys are compared as unsigned bytes. Keys are at most {@link #maxKeySize()} bytes; callers never exceed
 * it. Thread-safe: reads and cursors may run from several threads while one batch at a time is committed.
 * {@link #close()} is idempotent; any other call after it throws {@link IllegalStateException}.
 */
public interface KeyValueStore extends AutoCloseable {

    /** The value stored under {@code key}, or {@code null}. */
    byte[] get(Keyspace keyspace, byte[] key);

    /** A new, empty batch of writes. */
    KvBatch batch();

    /**
     * A cursor over {@code [fromInclusive, toExclusive)}; {@code null} bounds mean the start or end of the
     * keyspace. It sees a consistent snapshot taken when it was created.
     */
    KvCursor scan(Keyspace keyspace, byte[] fromInclusive, byte[] toExclusive);

    /** Makes every committed batch durable against power loss. */
    void sync();

    /** The largest key this engine accepts. */
    int maxKeySize();

    @Override
    void close();
}
