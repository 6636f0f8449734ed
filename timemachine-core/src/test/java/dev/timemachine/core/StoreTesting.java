package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvCursor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What tests and benchmarks outside core reach of an open state dir beyond the facade. */
public final class StoreTesting {
    private StoreTesting() {
    }

    /** The engine's key-value store underneath, for tests that read or damage stored entries. */
    public static KeyValueStore keyValueStore(TimeMachine tm) {
        return ((KvTimeMachineStore) tm.store()).keyValueStore();
    }

    /**
     * Stores {@code content} as the compactor stores a small file's keyframe, whole, and then, given
     * {@code previous} (the file's keyframe before it, or null), packs it as gc does: as a patch to that one if
     * that is small enough.
     *
     * @param bases the bases of the deltas this state dir holds, kept up to date across calls
     */
    public static ContentHash putKeyframe(TimeMachine tm, byte[] content, ContentHash previous,
                                          Set<ContentHash> bases) {
        ContentHash h = ContentHash.sha256(content);
        KvContentStore store = ((KvTimeMachineStore) tm.store()).kvContent();
        store.putHashed(Map.of(h, content));
        if (previous != null) {
            store.pack(List.<ContentHash[]>of(new ContentHash[] {h, previous}), bases);
        }
        return h;
    }

    /** The bytes of every content value together: what the content store holds before the engine compresses. */
    public static long contentValueBytes(TimeMachine tm) {
        long n = 0;
        try (KvCursor c = keyValueStore(tm).scan(Keyspace.CONTENT, null, null)) {
            while (c.next()) {
                n += c.value().length;
            }
        }
        return n;
    }
}
