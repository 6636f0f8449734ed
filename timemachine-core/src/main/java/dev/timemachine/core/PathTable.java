package dev.timemachine.core;

import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Interns paths to 8-byte ids (the {@code p:} keyspace), so keys stay short and fixed-width whatever the
 * path: long, non-UTF-8, or containing {@code :} or newlines. Ids are never reused. Thread-safe.
 */
final class PathTable {
    private final KeyValueStore kv;
    private final ConcurrentHashMap<ByteBuffer, Long> ids = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, byte[]> paths = new ConcurrentHashMap<>();
    private long nextId;

    PathTable(KeyValueStore kv) {
        this.kv = kv;
        byte[] key = MetaCodec.settingKey(MetaCodec.NEXT_PATH_ID);
        byte[] v = kv.get(Keyspace.META, key);
        this.nextId = v == null ? 1 : MetaCodec.setting(key, v);
    }

    /** The id of {@code path}, or -1 if it was never interned. */
    long find(byte[] path) {
        Long cached = ids.get(ByteBuffer.wrap(path));
        if (cached != null) {
            return cached;
        }
        byte[] key = PathCodec.byHashKey(path);
        byte[] v = kv.get(Keyspace.PATHS, key);
        if (v == null) {
            return -1;
        }
        PathCodec.Entry entry = PathCodec.entry(key, v);
        if (!Arrays.equals(entry.path(), path)) {
            throw new CorruptDataException(Schema.describe(Keyspace.PATHS, key), "path hash collision");
        }
        long id = entry.id();
        remember(path.clone(), id);
        return id;
    }

    /**
     * The ids of {@code paths}, in order, interning those never interned in one commit before this returns, with
     * ids in the order they first appear (as interning them one at a time would give them): the compactor's
     * chunk of a git run names a few thousand new paths (objects, lock files), and a commit for each was most
     * of compacting it.
     */
    synchronized long[] internAll(List<byte[]> paths) {
        long[] ids = new long[paths.size()];
        Map<ByteBuffer, Long> fresh = null;
        long next = nextId;
        for (int i = 0; i < ids.length; i++) {
            byte[] path = paths.get(i);
            long id = find(path);
            if (id < 0) {
                if (fresh == null) {
                    fresh = new LinkedHashMap<>();
                }
                Long given = fresh.get(ByteBuffer.wrap(path));
                if (given == null) {
                    given = next++;
                    fresh.put(ByteBuffer.wrap(path.clone()), given);
                }
                id = given;
            }
            ids[i] = id;
        }
        if (fresh != null) {
            try (KvBatch batch = kv.batch()) {
                for (Map.Entry<ByteBuffer, Long> e : fresh.entrySet()) {
                    byte[] copy = e.getKey().array();
                    batch.put(Keyspace.PATHS, PathCodec.byHashKey(copy), PathCodec.entryValue(e.getValue(), copy));
                    batch.put(Keyspace.PATHS, PathCodec.byIdKey(e.getValue()), PathCodec.pathValue(copy));
                }
                batch.put(Keyspace.META, MetaCodec.settingKey(MetaCodec.NEXT_PATH_ID), MetaCodec.settingValue(next));
                batch.commit();
            }
            nextId = next;
            fresh.forEach((path, id) -> remember(path.array(), id));
        }
        return ids;
    }

    /** The path with id {@code id}. */
    byte[] path(long id) {
        byte[] cached = paths.get(id);
        if (cached != null) {
            return cached;
        }
        byte[] key = PathCodec.byIdKey(id);
        byte[] v = kv.get(Keyspace.PATHS, key);
        if (v == null) {
            throw new CorruptDataException(Schema.describe(Keyspace.PATHS, key), "no path for id " + id);
        }
        byte[] path = PathCodec.path(key, v);
        // the path is stored twice, by id and by hash: the two must agree, as verify checks, or a damaged byte in
        // either would put a file under another name
        byte[] byHash = PathCodec.byHashKey(path);
        byte[] entry = kv.get(Keyspace.PATHS, byHash);
        if (entry == null || PathCodec.entry(byHash, entry).id() != id) {
            throw new CorruptDataException(Schema.describe(Keyspace.PATHS, key), "the path stored for id " + id + ", "
                    + PathBytes.display(path) + ", is not the one its hash entry names: the path table is damaged");
        }
        PathCodec.INSTANCE.check(byHash, entry);
        remember(path, id);
        return path;
    }

    private void remember(byte[] path, long id) {
        ids.put(ByteBuffer.wrap(path), id);
        paths.put(id, path);
    }
}
