package dev.timemachine.store.rocks;

import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small helpers shared by this module's tests. */
final class RocksStoreTesting {

    private RocksStoreTesting() {
    }

    static RocksKeyValueStore open(Path dir) {
        return (RocksKeyValueStore) new RocksStorageEngine().open(dir, Map.of());
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static void put(KeyValueStore store, Keyspace keyspace, String key, String value) {
        try (KvBatch batch = store.batch()) {
            batch.put(keyspace, b(key), b(value));
            batch.commit();
        }
    }

    /** The keys of a scan, as strings. */
    static List<String> keys(KeyValueStore store, Keyspace keyspace, String from, String to) {
        try (KvCursor cursor = store.scan(keyspace, from == null ? null : b(from), to == null ? null : b(to))) {
            return drain(cursor);
        }
    }

    static List<String> drain(KvCursor cursor) {
        List<String> keys = new ArrayList<>();
        while (cursor.next()) {
            keys.add(s(cursor.key()));
        }
        return keys;
    }
}
