package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Remembers the content hash of files seen by a baseline, by (device, inode), with the size and mtime they
 * had then, so the next recording in the same state dir hashes only files that changed. Entries live under
 * {@code s:} prefix 0x04; an entry may outlive its content (after gc), so callers check the content store.
 * Thread-safe.
 */
public final class BaselineCache {
    static final byte PREFIX = 4;
    private static final byte V1 = 1;

    private final KeyValueStore kv;

    public BaselineCache(KvTimeMachineStore store) {
        this.kv = store.keyValueStore();
    }

    private static byte[] key(long dev, long ino) {
        return ByteBuffer.allocate(17).put(PREFIX).putLong(dev).putLong(ino).array();
    }

    /** The hash recorded for this file if its size and mtime are still the same, else null. */
    public ContentHash get(long dev, long ino, long size, long mtimeNs) {
        byte[] v = kv.get(Keyspace.META, key(dev, ino));
        if (v == null || v.length != 1 + 8 + 8 + ContentHash.LENGTH || v[0] != V1) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(v, 1, v.length - 1);
        if (b.getLong() != size || b.getLong() != mtimeNs) {
            return null;
        }
        byte[] h = new byte[ContentHash.LENGTH];
        b.get(h);
        return ContentHash.of(h);
    }

    /** Records hashes in one batch; each value is (dev, ino, size, mtime) → hash. */
    public void putAll(Map<long[], ContentHash> entries) {
        if (entries.isEmpty()) {
            return;
        }
        try (KvBatch batch = kv.batch()) {
            for (Map.Entry<long[], ContentHash> e : entries.entrySet()) {
                long[] id = e.getKey();
                batch.put(Keyspace.META, key(id[0], id[1]), ByteBuffer.allocate(1 + 16 + ContentHash.LENGTH)
                        .put(V1).putLong(id[2]).putLong(id[3]).put(e.getValue().toBytes()).array());
            }
            batch.commit();
        }
    }
}
