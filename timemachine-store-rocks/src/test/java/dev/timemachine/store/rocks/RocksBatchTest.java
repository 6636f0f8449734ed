package dev.timemachine.store.rocks;

import static dev.timemachine.store.rocks.RocksStoreTesting.b;
import static dev.timemachine.store.rocks.RocksStoreTesting.open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

class RocksBatchTest {

    @TempDir
    Path tmp;

    /**
     * The Java encoding must be byte for byte what RocksDB's own WriteBatch builds, also in a buffer a larger
     * earlier batch of the same thread left full of other bytes.
     */
    @Test
    void encodesExactlyLikeRocksDb() throws Exception {
        Random random = new Random(7);
        try (RocksKeyValueStore store = open(tmp); WriteBatch reference = new WriteBatch()) {
            try (KvBatch earlier = store.batch()) {
                byte[] junk = new byte[100_000];
                random.nextBytes(junk);
                earlier.put(Keyspace.JOURNAL, b("junk"), junk);
                earlier.commit();
            }
            RocksBatch batch = (RocksBatch) store.batch();
            byte[] longValue = new byte[300]; // lengths past one varint byte
            random.nextBytes(longValue);
            for (Keyspace keyspace : Keyspace.values()) {
                batch.put(keyspace, b("key"), b("value"));
                reference.put(store.family(keyspace), b("key"), b("value"));
                batch.put(keyspace, b("two"), b("head-"), longValue);
                byte[] joined = Arrays.copyOf(b("head-"), 5 + longValue.length);
                System.arraycopy(longValue, 0, joined, 5, longValue.length);
                reference.put(store.family(keyspace), b("two"), joined);
                batch.put(keyspace, new byte[200], longValue);
                reference.put(store.family(keyspace), new byte[200], longValue);
                batch.put(keyspace, new byte[0], new byte[0]);
                reference.put(store.family(keyspace), new byte[0], new byte[0]);
                batch.delete(keyspace, b("gone"));
                reference.delete(store.family(keyspace), b("gone"));
                batch.deleteRange(keyspace, b("a"), b("b"));
                reference.deleteRange(store.family(keyspace), b("a"), b("b"));
            }
            assertEquals(reference.count(), batch.size());
            assertArrayEquals(reference.data(), batch.encoded());
        }
    }

    /** Random operations across keyspaces, checked against a sorted map with an unsigned comparator. */
    @Test
    void randomOperationsMatchAModel() {
        Comparator<byte[]> unsigned = Arrays::compareUnsigned;
        Map<Keyspace, TreeMap<byte[], byte[]>> model = new java.util.EnumMap<>(Keyspace.class);
        for (Keyspace keyspace : Keyspace.values()) {
            model.put(keyspace, new TreeMap<>(unsigned));
        }
        Random random = new Random(1234);
        try (RocksKeyValueStore store = open(tmp)) {
            for (int round = 0; round < 50; round++) {
                try (KvBatch batch = store.batch()) {
                    int ops = 1 + random.nextInt(200);
                    for (int i = 0; i < ops; i++) {
                        Keyspace keyspace = Keyspace.values()[random.nextInt(Keyspace.values().length)];
                        TreeMap<byte[], byte[]> map = model.get(keyspace);
                        byte[] key = randomKey(random);
                        switch (random.nextInt(10)) {
                            case 0 -> {
                                batch.delete(keyspace, key);
                                map.remove(key);
                            }
                            case 1 -> {
                                byte[] to = randomKey(random);
                                batch.deleteRange(keyspace, key, to);
                                if (unsigned.compare(key, to) < 0) {
                                    map.subMap(key, to).clear();
                                }
                            }
                            default -> {
                                byte[] value = new byte[random.nextInt(64)];
                                random.nextBytes(value);
                                batch.put(keyspace, key, value);
                                map.put(key, value);
                            }
                        }
                    }
                    batch.commit();
                }
                for (Keyspace keyspace : Keyspace.values()) {
                    TreeMap<byte[], byte[]> map = model.get(keyspace);
                    byte[] from = randomKey(random);
                    byte[] to = randomKey(random);
                    var expected = unsigned.compare(from, to) < 0 ? map.subMap(from, to) : new TreeMap<byte[], byte[]>();
                    try (var cursor = store.scan(keyspace, from, to)) {
                        for (var entry : expected.entrySet()) {
                            org.junit.jupiter.api.Assertions.assertTrue(cursor.next());
                            assertArrayEquals(entry.getKey(), cursor.key());
                            assertArrayEquals(entry.getValue(), cursor.value());
                        }
                        org.junit.jupiter.api.Assertions.assertFalse(cursor.next());
                    }
                    byte[] probe = randomKey(random);
                    byte[] value = store.get(keyspace, probe);
                    if (map.containsKey(probe)) {
                        assertArrayEquals(map.get(probe), value);
                    } else {
                        assertNull(value);
                    }
                }
            }
        }
    }

    private static byte[] randomKey(Random random) {
        byte[] key = new byte[1 + random.nextInt(3)];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (random.nextBoolean() ? random.nextInt(4) : 0xFC + random.nextInt(4));
        }
        return key;
    }

    @Test
    void misuseIsReported() {
        try (RocksKeyValueStore store = open(tmp); KvBatch batch = store.batch()) {
            assertThrows(NullPointerException.class, () -> batch.put(Keyspace.META, null, b("v")));
            assertThrows(NullPointerException.class, () -> batch.put(Keyspace.META, b("k"), null));
            assertThrows(NullPointerException.class, () -> batch.put(null, b("k"), b("v")));
            assertThrows(IllegalArgumentException.class, () -> batch.delete(Keyspace.META, new byte[8193]));
            assertEquals(0, batch.size());
            batch.commit(); // empty: nothing is written
            assertThrows(IllegalStateException.class, () -> batch.delete(Keyspace.META, b("k")));
        }
    }
}
