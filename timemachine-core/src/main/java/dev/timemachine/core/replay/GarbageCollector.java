package dev.timemachine.core.replay;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.ContentMissingException;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.VersionIndex;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.core.KvTimeMachineStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drops recordings, then the content nothing refers to any more. Content is kept when a version of a remaining
 * recording refers to it, when the baseline cache ({@code s:} prefix 0x04) refers to it, or when it is a
 * chunk of kept content. Run it while no recorder has the state dir open (engines with a process lock, such as
 * RocksDB, guarantee that).
 */
public final class GarbageCollector {
    /** What a collection removed. */
    public record Result(List<Integer> droppedRecordings, long blobsFreed, long bytesFreed, long blobsKept) {
        public Result {
            droppedRecordings = List.copyOf(droppedRecordings);
        }
    }

    /** The {@code s:} sub-prefix of the baseline cache, whose values hold content hashes. */
    private static final byte BASELINE_CACHE = 4;

    private GarbageCollector() {
    }

    /** The recordings that started more than {@code ageNs} before {@code nowWallNs}, by their wall-clock start. */
    public static List<Integer> olderThan(KvTimeMachineStore store, long ageNs, long nowWallNs) {
        List<Integer> ids = new ArrayList<>();
        for (RecordingInfo r : store.recordings().list()) {
            if (r.startWallNs() < nowWallNs - ageNs) {
                ids.add(r.id());
            }
        }
        return ids;
    }

    /** Drops {@code recordings}, then every piece of content left unreferenced. */
    public static Result collect(KvTimeMachineStore store, Collection<Integer> recordings) {
        List<Integer> dropped = new ArrayList<>();
        for (int id : recordings) {
            if (store.recordings().get(id).isPresent()) {
                store.dropRecording(id);
                dropped.add(id);
            }
        }
        Set<ContentHash> keep = referenced(store);
        KeyValueStore kv = store.keyValueStore();
        Set<ContentHash> stored = new HashSet<>();
        store.content().forEachHash(stored::add);
        baselineCacheReferences(kv, stored, keep);
        closeOverParts(store, keep);
        List<ContentHash> garbage = new ArrayList<>();
        for (ContentHash h : stored) {
            if (!keep.contains(h)) {
                garbage.add(h);
            }
        }
        long bytes = 0;
        for (ContentHash h : garbage) {
            byte[] value = kv.get(Keyspace.CONTENT, h.toBytes());
            bytes += value == null ? 0 : value.length;
            store.content().delete(h);
        }
        return new Result(dropped, garbage.size(), bytes, keep.size());
    }

    private static Set<ContentHash> referenced(KvTimeMachineStore store) {
        Set<ContentHash> keep = new HashSet<>();
        for (RecordingInfo r : store.recordings().list()) {
            VersionIndex index = store.versions(r.id());
            List<byte[]> paths = new ArrayList<>();
            index.forEachPath(paths::add);
            for (byte[] path : paths) {
                index.walkBack(path, Long.MAX_VALUE, v -> {
                    if (v.record().content() != null) {
                        keep.add(v.record().content());
                    }
                    return true;
                });
            }
        }
        return keep;
    }

    /**
     * Adds every stored hash that a baseline-cache value holds. Values are matched against the stored hashes
     * at every offset rather than decoded, so this does not depend on the cache's layout.
     */
    private static void baselineCacheReferences(KeyValueStore kv, Set<ContentHash> stored, Set<ContentHash> keep) {
        byte[] from = {BASELINE_CACHE};
        byte[] to = {BASELINE_CACHE + 1};
        try (KvCursor c = kv.scan(Keyspace.META, from, to)) {
            while (c.next()) {
                byte[] v = c.value();
                for (int i = 0; i + ContentHash.LENGTH <= v.length; i++) {
                    ContentHash candidate = ContentHash.of(Arrays.copyOfRange(v, i, i + ContentHash.LENGTH));
                    if (stored.contains(candidate)) {
                        keep.add(candidate);
                    }
                }
            }
        }
    }

    /** Adds the chunks of everything kept, transitively. */
    private static void closeOverParts(KvTimeMachineStore store, Set<ContentHash> keep) {
        Deque<ContentHash> todo = new ArrayDeque<>(keep);
        while (!todo.isEmpty()) {
            ContentHash h = todo.pop();
            List<ContentHash> parts;
            try {
                parts = store.content().parts(h);
            } catch (ContentMissingException e) {
                continue;
            }
            for (ContentHash p : parts) {
                if (keep.add(p)) {
                    todo.push(p);
                }
            }
        }
    }
}
