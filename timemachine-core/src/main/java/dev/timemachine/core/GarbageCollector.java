package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Drops recordings, then the content nothing refers to any more, packs what is left, then frees the payload
 * log's space no content refers to. Packing stores each small keyframe of a file as a bsdiff patch to the
 * keyframe before it, where the patch is at most half its size (docs/storage.md, "Deltas"): as git packs loose
 * objects, at gc and not while recording, where a patch would cost the compactor 20 to 50 times what storing the
 * keyframe whole does. What refers to content is found by the codec of each keyspace
 * ({@link KeyspaceCodec#references}): the version records of the remaining recordings, their journals and the baseline cache are the roots, and
 * chunked content keeps its chunks. A segment nothing refers to is deleted; one less than half of which is
 * referred to is rewritten: its live extents copied into a new segment, their content records pointed there,
 * then the old one deleted (Badger's value-log gc). One scan of each keyspace and one read of what is live, so
 * the work grows with what is stored. Runs while nothing else has the state dir open (the state dir's lock).
 */
final class GarbageCollector {
    private static final int DELETE_BATCH = 1_000;
    /** Live bytes copied out of old segments between commits. */
    private static final long REWRITE_STEP = 64L << 20;

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
            KeyframePairs keyframes = new KeyframePairs();
            long[] seen = {0};
            for (Keyspace root : List.of(Keyspace.VERSIONS, Keyspace.JOURNAL, Keyspace.META)) {
                KeyspaceCodec codec = Schema.codec(root);
                try (KvCursor c = kv.scan(root, null, null)) {
                    while (c.next()) {
                        codec.references(c.key(), c.value(), keep::add);
                        if (root == Keyspace.VERSIONS) {
                            keyframes.accept(c.key(), c.value());
                        }
                        progress.progress(++seen[0], "entries");
                    }
                }
            }
            closeOverChunks(kv, keep);
            long freed = 0;
            long bytes = 0;
            Set<ContentHash> bases = new HashSet<>();
            try (SteppedBatch batch = new SteppedBatch(kv, DELETE_BATCH, Long.MAX_VALUE);
                 KvCursor c = kv.scan(Keyspace.CONTENT, null, null)) {
                while (c.next()) {
                    progress.progress(++seen[0], "entries");
                    if (keep.contains(ContentHash.of(c.key()))) {
                        ContentCodec.Delta d = ContentCodec.decode(c.key(), c.value()).delta();
                        if (d != null) {
                            bases.add(d.base());
                        }
                    } else {
                        batch.delete(Keyspace.CONTENT, c.key());
                        freed++;
                        bytes += c.value().length;
                    }
                }
                batch.commit();
            }
            store.kvContent().forgetRecent();
            progress.step("packing keyframes");
            KvContentStore.Packed packed = store.kvContent().pack(keyframes.finish(), bases);
            bytes += packed.bytesFreed() + collectSegments(store);
            return new GcResult(dropped, freed, bytes, keep.size(), packed.values());
        } finally {
            progress.finished();
        }
    }

    /** Collects, from the version keyspace in key order, each small keyframe of a path with the one before it. */
    private static final class KeyframePairs {
        private final List<ContentHash[]> pairs = new ArrayList<>();
        /** The current path's small keyframes, newest first as its versions are ordered. */
        private final List<ContentHash> newestFirst = new ArrayList<>();
        private byte[] path;

        void accept(byte[] key, byte[] value) {
            if (path == null || !Arrays.equals(key, 0, VersionCodec.PATH_PREFIX_LENGTH, path, 0,
                    VersionCodec.PATH_PREFIX_LENGTH)) {
                endPath();
                path = Arrays.copyOf(key, VersionCodec.PATH_PREFIX_LENGTH);
            }
            if (VersionCodec.isRun(value)) {
                return;
            }
            VersionRecord r = VersionCodec.record(key, value);
            if (r.kind() == VersionRecord.Kind.KEYFRAME && r.content() != null
                    && r.length() >= KvContentStore.DELTA_MIN && r.length() < KvContentStore.CHUNKED_FROM) {
                newestFirst.add(r.content());
            }
        }

        /** (keyframe, the one before it) of every path, oldest first within a path. */
        List<ContentHash[]> finish() {
            endPath();
            return pairs;
        }

        private void endPath() {
            for (int i = newestFirst.size() - 2; i >= 0; i--) {
                pairs.add(new ContentHash[] {newestFirst.get(i), newestFirst.get(i + 1)});
            }
            newestFirst.clear();
        }
    }

    /** A content record that points into a segment. */
    private record Live(byte[] key, ContentCodec.Extent extent) {
    }

    /** Deletes the segments no content refers to and rewrites the mostly dead ones; returns the bytes freed. */
    private static long collectSegments(KvTimeMachineStore store) {
        Segments segments = store.segments();
        Map<Integer, List<Live>> live = new HashMap<>();
        try (KvCursor c = store.keyValueStore().scan(Keyspace.CONTENT, null, null)) {
            while (c.next()) {
                ContentCodec.Extent e = ContentCodec.decode(c.key(), c.value()).extent();
                if (e != null) {
                    live.computeIfAbsent(e.segment(), id -> new ArrayList<>()).add(new Live(c.key(), e));
                }
            }
        }
        long freed = 0;
        for (int id : segments.ids()) {
            if (segments.isCurrent(id)) {
                continue;
            }
            long size = segments.size(id);
            List<Live> extents = live.getOrDefault(id, List.of());
            long liveBytes = extents.stream().mapToLong(l -> l.extent().length()).sum();
            if (extents.isEmpty()) {
                segments.delete(id);
                freed += size;
            } else if (2 * liveBytes < size) {
                rewrite(store, extents);
                segments.delete(id);
                freed += size - liveBytes;
            }
        }
        return freed;
    }

    /** Copies live extents to the end of the payload log and points their content records there. */
    private static void rewrite(KvTimeMachineStore store, List<Live> extents) {
        Segments segments = store.segments();
        KeyValueStore kv = store.keyValueStore();
        KvBatch batch = kv.batch();
        long copied = 0;
        try {
            for (Live l : extents) {
                byte[] bytes = store.kvContent().read(l.key(), l.extent());
                batch.put(Keyspace.CONTENT, l.key(), ContentCodec.segment(segments.append(bytes), bytes.length));
                copied += bytes.length;
                if (copied >= REWRITE_STEP) {
                    commit(segments, batch);
                    batch.close();
                    batch = kv.batch();
                    copied = 0;
                }
            }
            commit(segments, batch);
        } finally {
            batch.close();
        }
    }

    /** The copies are durable before the records point at them: the old segment is deleted next. */
    private static void commit(Segments segments, KvBatch batch) {
        segments.flush();
        segments.sync();
        batch.commit();
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
