package dev.timemachine.api.spi;

/**
 * Writes that are applied together by {@link #commit()}: after a crash either all of them are there or
 * none. Not thread-safe; used by one thread, then committed or closed. Closing without commit discards it.
 */
public interface KvBatch extends AutoCloseable {

    void put(Keyspace keyspace, byte[] key, byte[] value);

    /**
     * Puts {@code head} followed by {@code tail} as one value: a large payload goes into the batch without
     * first being copied into a value array of its own.
     */
    default void put(Keyspace keyspace, byte[] key, byte[] head, byte[] tail) {
        byte[] value = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, value, head.length, tail.length);
        put(keyspace, key, value);
    }

    void delete(Keyspace keyspace, byte[] key);

    /** Deletes every key in {@code [fromInclusive, toExclusive)}. */
    void deleteRange(Keyspace keyspace, byte[] fromInclusive, byte[] toExclusive);

    /** Number of operations added so far. */
    int size();

    /**
     * Applies the batch. On return the writes survive a crash of the process (not necessarily a power loss:
     * see {@link KeyValueStore#sync()}).
     */
    void commit();

    @Override
    void close();
}
