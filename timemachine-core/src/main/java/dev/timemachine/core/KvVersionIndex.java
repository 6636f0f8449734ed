package dev.timemachine.core;

import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.VersionIndex;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The version index of one recording over the {@code m:} keyspace. Keys hold inverted time and sequence,
 * so the versions of a path run newest first and "latest at or before T" is the first key at or after
 * (path, T, the greatest sequence).
 */
final class KvVersionIndex implements VersionIndex {
    private final KeyValueStore kv;
    private final PathTable paths;
    private final int recording;

    KvVersionIndex(KeyValueStore kv, PathTable paths, int recording) {
        this.kv = kv;
        this.paths = paths;
        this.recording = recording;
    }

    /** A run of extents holds this many writes at most, and this many bytes of them inline. */
    private static final int RUN_WRITES = 1_024;
    private static final int RUN_INLINE_BYTES = 256 << 10;

    @Override
    public void putAll(List<Version> versions) {
        if (versions.isEmpty()) {
            return;
        }
        long[] ids = paths.internAll(versions.stream().map(Version::path).toList());
        try (KvBatch batch = kv.batch()) {
            for (int i = 0; i < ids.length; i++) {
                put(batch, ids[i], List.of(versions.get(i)));
            }
            batch.commit();
        }
    }

    /**
     * Stores versions that come after every version stored for their paths, as the compactor's do: consecutive
     * extents of one path with the same mode and flags are stored as one run ({@link VersionCodec#run}), which is
     * correct because nothing of that path can later be stored between them. The same versions stored again (a
     * chunk compacted again after a crash) give the same entries, and more of them after the same first one a
     * run that replaces it.
     */
    void append(List<Version> versions) {
        if (versions.isEmpty()) {
            return;
        }
        Map<ByteBuffer, List<Version>> byPath = new LinkedHashMap<>();
        byte[] lastPath = null;
        List<Version> ofLast = null;
        for (Version v : versions) {
            // a flood of writes to one file repeats the last path, often the very same array: no lookup
            if (v.path() != lastPath && !Arrays.equals(v.path(), lastPath)) {
                lastPath = v.path();
                ofLast = byPath.computeIfAbsent(ByteBuffer.wrap(lastPath), p -> new ArrayList<>());
            }
            ofLast.add(v);
        }
        long[] ids = paths.internAll(byPath.values().stream().map(ofPath -> ofPath.get(0).path()).toList());
        try (KvBatch batch = kv.batch()) {
            int next = 0;
            for (List<Version> ofPath : byPath.values()) {
                long id = ids[next++];
                List<Version> run = new ArrayList<>();
                int inline = 0;
                for (Version v : ofPath) {
                    VersionRecord r = v.record();
                    boolean extent = r.kind() == VersionRecord.Kind.EXTENT;
                    int bytes = r.data() == null ? 0 : r.data().length;
                    if (!run.isEmpty() && (!extent || run.size() == RUN_WRITES || inline + bytes > RUN_INLINE_BYTES
                            || r.mode() != run.get(0).record().mode() || r.flags() != run.get(0).record().flags())) {
                        put(batch, id, run);
                        run.clear();
                        inline = 0;
                    }
                    if (extent) {
                        run.add(v);
                        inline += bytes;
                    } else {
                        put(batch, id, List.of(v));
                    }
                }
                if (!run.isEmpty()) {
                    put(batch, id, run);
                }
            }
            batch.commit();
        }
    }

    private void put(KvBatch batch, long id, List<Version> vs) {
        Version first = vs.get(0);
        batch.put(Keyspace.VERSIONS, VersionCodec.key(recording, id, first.timeNs(), first.sequence()),
                vs.size() == 1 ? VersionCodec.value(first.record()) : VersionCodec.run(vs));
    }

    @Override
    public Optional<Version> latest(byte[] path, long atNs) {
        Version[] found = new Version[1];
        walkBack(path, atNs, v -> {
            found[0] = v;
            return false;
        });
        return Optional.ofNullable(found[0]);
    }

    @Override
    public void walkBack(byte[] path, long atNs, Predicate<Version> visitor) {
        long id = paths.find(path);
        if (id < 0) {
            return;
        }
        byte[] from = VersionCodec.key(recording, id, atNs, Long.MAX_VALUE);
        byte[] to = Schema.prefixEnd(VersionCodec.pathPrefix(recording, id));
        try (KvCursor c = kv.scan(Keyspace.VERSIONS, from, to)) {
            while (c.next()) {
                for (Version v : VersionCodec.versions(path, c.key(), c.value())) {
                    // a run found at an instant inside it: its later writes are not there yet
                    if (v.timeNs() <= atNs && !visitor.test(v)) {
                        return;
                    }
                }
            }
        }
    }

    @Override
    public List<Version> history(byte[] path) {
        List<Version> out = new ArrayList<>();
        walkBack(path, Long.MAX_VALUE, out::add);
        Collections.reverse(out);
        return out;
    }

    @Override
    public void forEachPath(Consumer<byte[]> visitor) {
        // Skip from one path id to the next with a fresh seek, so the cost follows the number of paths,
        // not the number of versions.
        byte[] from = Schema.recordingPrefix(recording);
        byte[] end = Schema.prefixEnd(from);
        while (true) {
            long id;
            try (KvCursor c = kv.scan(Keyspace.VERSIONS, from, end)) {
                if (!c.next()) {
                    return;
                }
                id = VersionCodec.pathId(c.key());
            }
            visitor.accept(paths.path(id));
            from = Schema.prefixEnd(VersionCodec.pathPrefix(recording, id));
            if (from == null || Arrays.compareUnsigned(from, end) >= 0) {
                return;
            }
        }
    }
}
