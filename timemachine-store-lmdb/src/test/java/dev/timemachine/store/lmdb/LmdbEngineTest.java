package dev.timemachine.store.lmdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.api.spi.StorageEngine;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmdbEngineTest {

    @TempDir
    Path dir;

    private final List<KeyValueStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(KeyValueStore::close);
    }

    private KeyValueStore open() {
        return open(Map.of());
    }

    private KeyValueStore open(Map<String, String> options) {
        KeyValueStore store = new LmdbStorageEngine().open(dir.resolve("store"), options);
        opened.add(store);
        return store;
    }

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    static byte[] be(long n) {
        return ByteBuffer.allocate(8).putLong(n).array();
    }

    private static void put(KeyValueStore store, Keyspace ks, byte[] key, byte[] value) {
        try (KvBatch batch = store.batch()) {
            batch.put(ks, key, value);
            batch.commit();
        }
    }

    private static List<String> keys(KeyValueStore store, Keyspace ks, byte[] from, byte[] to) {
        List<String> keys = new ArrayList<>();
        try (KvCursor cursor = store.scan(ks, from, to)) {
            while (cursor.next()) {
                keys.add(new String(cursor.key(), UTF_8));
            }
        }
        return keys;
    }

    @Test
    void isFoundByServiceLoaderUnderItsName() {
        assertTrue(ServiceLoader.load(StorageEngine.class).stream()
                .anyMatch(p -> p.get().name().equals("lmdb") && p.type() == LmdbStorageEngine.class));
    }

    @Test
    void dataSurvivesCloseAndReopen() {
        KeyValueStore store = open();
        assertEquals(511, store.maxKeySize());
        put(store, Keyspace.META, b("format"), b("1"));
        put(store, Keyspace.JOURNAL, be(42), b("event"));
        store.sync();
        store.close();
        assertTrue(Files.exists(dir.resolve("store/data.mdb")));

        KeyValueStore again = open();
        assertArrayEquals(b("1"), again.get(Keyspace.META, b("format")));
        assertArrayEquals(b("event"), again.get(Keyspace.JOURNAL, be(42)));
        assertNull(again.get(Keyspace.JOURNAL, be(43)));
    }

    @Test
    void keyspacesAreSeparate() {
        KeyValueStore store = open();
        try (KvBatch batch = store.batch()) {
            for (Keyspace ks : Keyspace.values()) {
                batch.put(ks, b("same"), b(ks.prefix()));
            }
            batch.commit();
        }
        for (Keyspace ks : Keyspace.values()) {
            assertArrayEquals(b(ks.prefix()), store.get(ks, b("same")));
            assertEquals(List.of("same"), keys(store, ks, null, null));
        }
        try (KvBatch batch = store.batch()) {
            batch.deleteRange(Keyspace.PATHS, null, null);
            batch.delete(Keyspace.CONTENT, b("same"));
            batch.commit();
        }
        assertNull(store.get(Keyspace.PATHS, b("same")));
        assertNull(store.get(Keyspace.CONTENT, b("same")));
        assertArrayEquals(b("m"), store.get(Keyspace.VERSIONS, b("same")));
    }

    @Test
    void deleteRangeRemovesExactlyTheHalfOpenRangeAcrossManyPages() {
        KeyValueStore store = open();
        int n = 20_000;
        try (KvBatch batch = store.batch()) {
            for (long i = 0; i < n; i++) {
                batch.put(Keyspace.JOURNAL, be(i), new byte[100]);
            }
            batch.commit();
        }
        try (KvBatch batch = store.batch()) {
            batch.deleteRange(Keyspace.JOURNAL, be(1_000), be(15_000));
            batch.deleteRange(Keyspace.JOURNAL, be(7), be(7)); // empty
            batch.deleteRange(Keyspace.JOURNAL, be(9), be(8)); // inverted: nothing
            batch.commit();
        }
        assertEquals(n - 14_000, count(store, null, null));
        assertTrue(store.get(Keyspace.JOURNAL, be(999)) != null);
        assertNull(store.get(Keyspace.JOURNAL, be(1_000)));
        assertNull(store.get(Keyspace.JOURNAL, be(14_999)));
        assertTrue(store.get(Keyspace.JOURNAL, be(15_000)) != null);

        try (KvBatch batch = store.batch()) {
            batch.deleteRange(Keyspace.JOURNAL, null, be(500)); // trim the front
            batch.deleteRange(Keyspace.JOURNAL, be(19_000), null); // and the tail
            batch.commit();
        }
        assertEquals(500 + 4_000, count(store, null, null));
        try (KvCursor cursor = store.scan(Keyspace.JOURNAL, null, null)) {
            assertTrue(cursor.next());
            assertArrayEquals(be(500), cursor.key());
        }
        try (KvBatch batch = store.batch()) {
            batch.deleteRange(Keyspace.JOURNAL, null, null);
            batch.commit();
        }
        assertEquals(0, count(store, null, null));
    }

    private static int count(KeyValueStore store, byte[] from, byte[] to) {
        int count = 0;
        try (KvCursor cursor = store.scan(Keyspace.JOURNAL, from, to)) {
            while (cursor.next()) {
                count++;
            }
        }
        return count;
    }

    @Test
    void cursorHonoursBoundsInUnsignedOrder() {
        KeyValueStore store = open();
        try (KvBatch batch = store.batch()) {
            for (String k : List.of("a", "ab", "abc", "b", "ba", "c")) {
                batch.put(Keyspace.VERSIONS, b(k), b(k.toUpperCase()));
            }
            batch.put(Keyspace.VERSIONS, new byte[] {(byte) 0xFF}, b("high"));
            batch.put(Keyspace.VERSIONS, new byte[] {0x00}, b("low"));
            batch.commit();
        }
        assertEquals(List.of("a", "ab", "abc", "b", "ba", "c"), keys(store, Keyspace.VERSIONS, b("a"), b("d")));
        assertEquals(List.of("ab", "abc"), keys(store, Keyspace.VERSIONS, b("aa"), b("b")));
        assertEquals(List.of("b", "ba"), keys(store, Keyspace.VERSIONS, b("b"), b("c")));
        assertEquals(List.of(), keys(store, Keyspace.VERSIONS, b("bb"), b("c")));
        assertEquals(List.of(), keys(store, Keyspace.VERSIONS, b("c"), b("b")));
        assertEquals(List.of("c", "\uFFFD"), keys(store, Keyspace.VERSIONS, b("c"), null));
        assertEquals(List.of("\0"), keys(store, Keyspace.VERSIONS, null, b("a")));
        assertEquals(List.of("\0"), keys(store, Keyspace.VERSIONS, new byte[0], b("a")));
        assertEquals(8, keys(store, Keyspace.VERSIONS, null, null).size());
        // a bound longer than any key is only compared, never stored
        assertEquals(List.of("b", "ba", "c", "\uFFFD"), keys(store, Keyspace.VERSIONS, Arrays.copyOf(b("abc"), 600), null));

        try (KvCursor cursor = store.scan(Keyspace.VERSIONS, b("ab"), b("abc"))) {
            IllegalStateException before = assertThrows(IllegalStateException.class, cursor::key);
            assertTrue(before.getMessage().contains("next()"), before.getMessage());
            assertTrue(cursor.next());
            byte[] key = cursor.key();
            assertArrayEquals(b("AB"), cursor.value());
            assertFalse(cursor.next());
            assertFalse(cursor.next());
            assertArrayEquals(b("ab"), key, "arrays handed out stay the caller's");
            assertThrows(IllegalStateException.class, cursor::value);
        }
    }

    @Test
    void cursorSeesTheSnapshotOfItsCreation() {
        KeyValueStore store = open();
        try (KvBatch batch = store.batch()) {
            for (long i = 0; i < 100; i++) {
                batch.put(Keyspace.JOURNAL, be(i), be(i));
            }
            batch.commit();
        }
        try (KvCursor cursor = store.scan(Keyspace.JOURNAL, null, null)) {
            assertTrue(cursor.next());
            try (KvBatch batch = store.batch()) {
                batch.deleteRange(Keyspace.JOURNAL, be(10), be(50));
                batch.put(Keyspace.JOURNAL, be(1_000), be(1));
                batch.put(Keyspace.JOURNAL, be(60), b("changed"));
                batch.commit();
            }
            long expected = 0;
            do {
                assertArrayEquals(be(expected), cursor.key());
                assertArrayEquals(be(expected), cursor.value());
                expected++;
            } while (cursor.next());
            assertEquals(100, expected);
        }
        assertEquals(100 - 40 + 1, count(store, null, null));
        assertArrayEquals(b("changed"), store.get(Keyspace.JOURNAL, be(60)));
    }

    @Test
    void appendedAndOutOfOrderKeysBothLand() {
        KeyValueStore store = open();
        Random random = new Random(7);
        java.util.TreeMap<Long, byte[]> model = new java.util.TreeMap<>();
        for (int round = 0; round < 20; round++) {
            try (KvBatch batch = store.batch()) {
                for (int i = 0; i < 500; i++) {
                    // mostly increasing (MDB_APPEND), some below the last key and some overwrites (normal put)
                    long k = random.nextInt(10) == 0 ? random.nextInt(round * 500 + 1) : round * 1_000L + i;
                    byte[] v = new byte[1 + random.nextInt(300)];
                    random.nextBytes(v);
                    batch.put(Keyspace.JOURNAL, be(k), v);
                    model.put(k, v);
                }
                if (round % 5 == 4) {
                    // delete the current last key: later appends must still be legal
                    long last = model.lastKey();
                    batch.delete(Keyspace.JOURNAL, be(last));
                    model.remove(last);
                }
                batch.commit();
            }
        }
        try (KvCursor cursor = store.scan(Keyspace.JOURNAL, null, null)) {
            for (Map.Entry<Long, byte[]> e : model.entrySet()) {
                assertTrue(cursor.next());
                assertArrayEquals(be(e.getKey()), cursor.key());
                assertArrayEquals(e.getValue(), cursor.value());
            }
            assertFalse(cursor.next());
        }
    }

    @Test
    void batchIsAtomicPerCommitAndDiscardedOnClose() {
        KeyValueStore store = open();
        byte[] key = b("k");
        byte[] value = b("v1");
        KvBatch batch = store.batch();
        batch.put(Keyspace.META, key, value);
        value[1] = '9'; // the batch copied it
        assertEquals(1, batch.size());
        assertNull(store.get(Keyspace.META, key), "nothing visible before commit");
        batch.commit();
        assertArrayEquals(b("v1"), store.get(Keyspace.META, key));
        assertThrows(IllegalStateException.class, batch::commit);
        assertThrows(IllegalStateException.class, () -> batch.put(Keyspace.META, key, value));
        batch.close();

        try (KvBatch discarded = store.batch()) {
            discarded.put(Keyspace.META, b("other"), b("x"));
        }
        assertNull(store.get(Keyspace.META, b("other")));
        try (KvBatch empty = store.batch()) {
            empty.commit();
        }
    }

    @Test
    void keysUpTo511BytesWorkAndLongerOnesFailClearly() {
        KeyValueStore store = open();
        byte[] max = new byte[511];
        Arrays.fill(max, (byte) 0xAB);
        put(store, Keyspace.VERSIONS, max, b("ok"));
        assertArrayEquals(b("ok"), store.get(Keyspace.VERSIONS, max));
        assertEquals(1, keys(store, Keyspace.VERSIONS, max, null).size());

        try (KvBatch batch = store.batch()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> batch.put(Keyspace.VERSIONS, new byte[512], b("no")));
            assertTrue(e.getMessage().contains("511") && e.getMessage().contains("512"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> batch.delete(Keyspace.VERSIONS, new byte[512]));
            assertThrows(IllegalArgumentException.class, () -> batch.put(Keyspace.VERSIONS, new byte[0], b("no")));
        }
        assertThrows(IllegalArgumentException.class, () -> store.get(Keyspace.VERSIONS, new byte[512]));
    }

    @Test
    void oneMebibyteValueReadsBack() {
        KeyValueStore store = open();
        byte[] big = new byte[1 << 20];
        new Random(1).nextBytes(big);
        put(store, Keyspace.CONTENT, b("blob"), big);
        assertArrayEquals(big, store.get(Keyspace.CONTENT, b("blob")));
        try (KvCursor cursor = store.scan(Keyspace.CONTENT, null, null)) {
            assertTrue(cursor.next());
            assertArrayEquals(big, cursor.value());
        }
    }

    @Test
    void valuesSurviveGarbageCollectionBetweenCopiesAndNativeCalls() {
        // lmdbjava 0.9.1's own byte[] proxy could free native scratch mid-call; ours keeps it reachable
        KeyValueStore store = open();
        Random random = new Random(3);
        byte[][] values = new byte[2_000][];
        for (int i = 0; i < values.length; i++) {
            values[i] = new byte[200 + random.nextInt(5_000)];
            random.nextBytes(values[i]);
        }
        for (int round = 0; round < 10; round++) {
            try (KvBatch batch = store.batch()) {
                for (int i = round; i < values.length; i += 10) {
                    batch.put(Keyspace.CONTENT, be(i), values[i]);
                }
                batch.commit();
            }
            System.gc();
        }
        for (int i = 0; i < values.length; i++) {
            assertArrayEquals(values[i], store.get(Keyspace.CONTENT, be(i)), "value " + i);
        }
    }

    @Test
    void everythingAfterCloseFailsClearly() {
        KeyValueStore store = open();
        put(store, Keyspace.META, b("k"), b("v"));
        KvBatch batch = store.batch();
        KvCursor cursor = store.scan(Keyspace.META, null, null);
        assertTrue(cursor.next());
        store.close();
        store.close(); // idempotent

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.get(Keyspace.META, b("k")));
        assertTrue(e.getMessage().contains("closed") && e.getMessage().contains("store"), e.getMessage());
        assertThrows(IllegalStateException.class, store::batch);
        assertThrows(IllegalStateException.class, () -> store.scan(Keyspace.META, null, null));
        assertThrows(IllegalStateException.class, store::sync);
        assertThrows(IllegalStateException.class, store::maxKeySize);
        assertThrows(IllegalStateException.class, () -> batch.put(Keyspace.META, b("k"), b("v")));
        assertThrows(IllegalStateException.class, batch::commit);
        assertThrows(IllegalStateException.class, cursor::next);
        assertThrows(IllegalStateException.class, cursor::key);
        batch.close();
        cursor.close();
        cursor.close();
    }

    @Test
    void exhaustedCursorsGiveBackTheirReadTransaction() {
        KeyValueStore store = open(Map.of("lmdb.maxReaders", "4"));
        put(store, Keyspace.JOURNAL, be(1), b("x"));
        List<KvCursor> leaked = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            KvCursor cursor = store.scan(Keyspace.JOURNAL, null, null);
            while (cursor.next()) {
                // drain, never close
            }
            leaked.add(cursor);
        }
        assertArrayEquals(b("x"), store.get(Keyspace.JOURNAL, be(1)));
        leaked.forEach(KvCursor::close);
    }

    @Test
    void tooManyOpenCursorsFailWithAHint() {
        KeyValueStore store = open(Map.of("lmdb.maxReaders", "2"));
        List<KvCursor> open = new ArrayList<>();
        TimeMachineException e = assertThrows(TimeMachineException.class, () -> {
            for (int i = 0; i < 3; i++) {
                open.add(store.scan(Keyspace.JOURNAL, null, null));
            }
        });
        assertTrue(e.getMessage().contains("lmdb.maxReaders"), e.getMessage());
        open.forEach(KvCursor::close);
        assertNull(store.get(Keyspace.JOURNAL, be(1)));
    }

    @Test
    void aFullMapNamesTheDirectoryAndTheOption() throws Exception {
        KeyValueStore store = open(Map.of("lmdb.mapSize", "1m"));
        TimeMachineException e = assertThrows(TimeMachineException.class, () -> {
            try (KvBatch batch = store.batch()) {
                batch.put(Keyspace.CONTENT, b("big"), new byte[4 << 20]);
                batch.commit();
            }
        });
        assertTrue(e.getMessage().contains(dir.resolve("store").toRealPath().toString())
                && e.getMessage().contains("lmdb.mapSize"), e.getMessage());
        put(store, Keyspace.META, b("still"), b("works"));
        assertArrayEquals(b("works"), store.get(Keyspace.META, b("still")));
    }

    @Test
    void badOptionsAndBadDirectoriesFailClearly() {
        StorageEngine engine = new LmdbStorageEngine();
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> engine.open(dir.resolve("x"), Map.of("lmdb.mapSize", "lots")));
        assertTrue(bad.getMessage().contains("lmdb.mapSize") && bad.getMessage().contains("lots"));
        assertThrows(IllegalArgumentException.class, () -> engine.open(dir.resolve("x"), Map.of("lmdb.sync", "often")));

        KeyValueStore store = open();
        TimeMachineException twice = assertThrows(TimeMachineException.class,
                () -> engine.open(dir.resolve("store"), Map.of()));
        assertTrue(twice.getMessage().contains("already open"), twice.getMessage());
        store.close();
    }

    @Test
    void aFileThatIsNotLmdbIsReportedWithItsDirectory() throws Exception {
        Path other = dir.resolve("garbage");
        Files.createDirectories(other);
        Files.write(other.resolve("data.mdb"), new byte[64 * 1024]);
        TimeMachineException e = assertThrows(TimeMachineException.class,
                () -> new LmdbStorageEngine().open(other, Map.of()));
        assertTrue(e.getMessage().contains(other.toRealPath().toString()), e.getMessage());
        // the failed open must not leave the directory marked as open
        Files.delete(other.resolve("data.mdb"));
        new LmdbStorageEngine().open(other, Map.of()).close();
    }

    @Test
    void syncModesOpenAndCommit() {
        for (String mode : List.of("none", "nometasync", "full")) {
            try (KeyValueStore store = new LmdbStorageEngine().open(dir.resolve(mode), Map.of("lmdb.sync", mode))) {
                put(store, Keyspace.META, b("mode"), b(mode));
                store.sync();
                assertArrayEquals(b(mode), store.get(Keyspace.META, b("mode")));
            }
        }
    }

    @Test
    void worksInAJvmWithoutAddOpens() {
        assumeFalse(Object.class.getModule().isOpen("java.nio", getClass().getModule()),
                "this JVM opens java.nio; the module's surefire config runs without --add-opens to prove this");
        KeyValueStore store = open();
        put(store, Keyspace.META, b("k"), b("v"));
        assertArrayEquals(b("v"), store.get(Keyspace.META, b("k")));
    }
}
