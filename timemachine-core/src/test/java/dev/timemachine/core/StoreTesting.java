package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvCursor;
import java.util.Map;

/** What tests and benchmarks outside core reach of an open state dir beyond the facade. */
public final class StoreTesting {
    private StoreTesting() {
    }

    /** The engine's key-value store underneath, for tests that read or damage stored entries. */
    public static KeyValueStore keyValueStore(TimeMachine tm) {
        return ((KvTimeMachineStore) tm.store()).keyValueStore();
    }

    /**
     * Stores {@code content} as the compactor stores a small file's keyframe: with {@code previous}, the file's
     * keyframe before it, as a possible delta base (null: none, so the bytes are stored as they are).
     */
    public static ContentHash putKeyframe(TimeMachine tm, byte[] content, ContentHash previous) {
        ContentHash h = ContentHash.sha256(content);
        ((KvTimeMachineStore) tm.store()).kvContent().putHashed(Map.of(h, content),
                previous == null ? Map.of() : Map.of(h, previous));
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
