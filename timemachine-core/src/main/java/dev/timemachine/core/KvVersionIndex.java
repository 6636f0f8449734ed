package dev.timemachine.core;

import dev.timemachine.api.Version;
import dev.timemachine.api.VersionIndex;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.util.ArrayList;
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

    @Override
    public void putAll(List<Version> versions) {
        if (versions.isEmpty()) {
            return;
        }
        try (KvBatch batch = kv.batch()) {
            for (Version v : versions) {
                long id = paths.intern(v.path());
                batch.put(Keyspace.VERSIONS, VersionCodec.key(recording, id, v.timeNs(), v.sequence()),
                        VersionCodec.value(v.record()));
            }
            batch.commit();
        }
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
                if (!visitor.test(decode(path, c.key(), c.value()))) {
                    return;
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
            if (from == null || java.util.Arrays.compareUnsigned(from, end) >= 0) {
                return;
            }
        }
    }

    private static Version decode(byte[] path, byte[] key, byte[] value) {
        return new Version(path, VersionCodec.time(key), VersionCodec.sequence(key), VersionCodec.record(key, value));
    }
}
