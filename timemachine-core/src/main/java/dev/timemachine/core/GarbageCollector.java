package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drops recordings, then the content nothing refers to any more. What refers to content is found by the codec
 * of each keyspace ({@link KeyspaceCodec#references}): the version records of the remaining recordings and the
 * baseline cache are the roots, and chunked content keeps its chunks. One scan of each keyspace, so the work
 * grows with what is stored. Runs while nothing else has the state dir open (the state dir's lock).
 */
final class GarbageCollector {
    private static final int DELETE_BATCH = 1_000;

    private GarbageCollector() {
    }

    static GcResult collect(KvTimeMachineStore store, Collection<Integer> recordings, ProgressListener progress) {
        progress.step("gc");
        try {
            List<Integer> dropped = new ArrayList<>();
            for (int id : recordings) {
                if (store.recordings().get(id).isPresent()) {
                    store.dropRecording(id);
                    dropped.add(id);
                }
            }
            KeyValueStore kv = store.keyValueStore();
            Set<ContentHash> keep = new HashSet<>();
            long[] seen = {0};
            for (Keyspace root : List.of(Keyspace.VERSIONS, Keyspace.META)) {
                KeyspaceCodec codec = Schema.codec(root);
                try (KvCursor c = kv.scan(root, null, null)) {
                    while (c.next()) {
                        codec.references(c.key(), c.value(), keep::add);
                        progress.progress(++seen[0], "entries");
                    }
                }
            }
            closeOverChunks(kv, keep);
            long freed = 0;
            long bytes = 0;
            KvBatch batch = kv.batch();
            try (KvCursor c = kv.scan(Keyspace.CONTENT, null, null)) {
                while (c.next()) {
                    progress.progress(++seen[0], "entries");
                    if (!keep.contains(ContentHash.of(c.key()))) {
                        batch.delete(Keyspace.CONTENT, c.key());
                        freed++;
                        bytes += c.value().length;
                        if (batch.size() >= DELETE_BATCH) {
                            batch.commit();
                            batch.close();
                            batch = kv.batch();
                        }
                    }
                }
                batch.commit();
            } finally {
                batch.close();
            }
            return new GcResult(dropped, freed, bytes, keep.size());
        } finally {
            progress.finished();
        }
    }

    /** Adds the chunks of everything kept (chunks are never chunked themselves, but this does not rely on it). */
    private static void closeOverChunks(KeyValueStore kv, Set<ContentHash> keep) {
        Deque<ContentHash> todo = new ArrayDeque<>(keep);
        while (!todo.isEmpty()) {
            byte[] key = todo.pop().toBytes();
            byte[] value = kv.get(Keyspace.CONTENT, key);
            if (value != null) {
                ContentCodec.INSTANCE.references(key, value, part -> {
                    if (keep.add(part)) {
                        todo.push(part);
                    }
                });
            }
        }
    }
}
