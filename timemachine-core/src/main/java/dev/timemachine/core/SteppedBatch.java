package dev.timemachine.core;

import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;

/**
 * Writes of a long pass over a store (gc, packing, migration), committed every so many entries or bytes so that
 * no batch grows with the store. {@link #commit} commits what is left; {@link #close} without it drops only the
 * writes since the last step.
 */
final class SteppedBatch implements AutoCloseable {
    private final KeyValueStore kv;
    private final int maxEntries;
    private final long maxBytes;
    private KvBatch batch;
    private long bytes;

    SteppedBatch(KeyValueStore kv, int maxEntries, long maxBytes) {
        this.kv = kv;
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.batch = kv.batch();
    }

    void put(Keyspace keyspace, byte[] key, byte[] value) {
        batch.put(keyspace, key, value);
        bytes += key.length + value.length;
        step();
    }

    void delete(Keyspace keyspace, byte[] key) {
        batch.delete(keyspace, key);
        bytes += key.length;
        step();
    }

    private void step() {
        if (batch.size() >= maxEntries || bytes >= maxBytes) {
            batch.commit();
            batch.close();
            batch = kv.batch();
            bytes = 0;
        }
    }

    /** Commits the writes since the last step. */
    void commit() {
        batch.commit();
    }

    @Override
    public void close() {
        batch.close();
    }
}
