package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.util.List;

/**
 * Remembers the content hash of files seen by a baseline, by (device, inode), with the size and mtime they
 * had then, so the next recording in the same state dir hashes only files that changed. Entries live in the
 * metadata keyspace ({@link MetaCodec#BASELINE_CACHE}); an entry may outlive its content (after gc), so callers
 * check the content store. Thread-safe.
 */
final class BaselineCache {
    /** A file a baseline hashed: its identity, its size and mtime then, and its hash. */
    record Seen(long dev, long ino, long size, long mtimeNs, ContentHash hash) {
    }

    private final KeyValueStore kv;

    BaselineCache(KeyValueStore kv) {
        this.kv = kv;
    }

    /** The hash recorded for this file if its size and mtime are still the same, else null. */
    ContentHash get(long dev, long ino, long size, long mtimeNs) {
        byte[] key = MetaCodec.baselineKey(dev, ino);
        byte[] v = kv.get(Keyspace.META, key);
        if (v == null) {
            return null;
        }
        MetaCodec.BaselineEntry e;
        try {
            e = MetaCodec.baselineEntry(key, v);
        } catch (CorruptDataException ex) {
            return null; // a cache: an entry it cannot read is one it does not have (verify reports it)
        }
        return e.size() == size && e.mtimeNs() == mtimeNs ? e.hash() : null;
    }

    /** Records what a baseline saw, in one batch. */
    void putAll(List<Seen> seen) {
        if (seen.isEmpty()) {
            return;
        }
        try (KvBatch batch = kv.batch()) {
            for (Seen s : seen) {
                batch.put(Keyspace.META, MetaCodec.baselineKey(s.dev(), s.ino()),
                        MetaCodec.baselineValue(new MetaCodec.BaselineEntry(s.size(), s.mtimeNs(), s.hash())));
            }
            batch.commit();
        }
    }
}
