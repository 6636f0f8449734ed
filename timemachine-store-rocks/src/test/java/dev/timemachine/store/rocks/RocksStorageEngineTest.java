package dev.timemachine.store.rocks;

import static dev.timemachine.store.rocks.RocksStoreTesting.b;
import static dev.timemachine.store.rocks.RocksStoreTesting.keys;
import static dev.timemachine.store.rocks.RocksStoreTesting.open;
import static dev.timemachine.store.rocks.RocksStoreTesting.put;
import static dev.timemachine.store.rocks.RocksStoreTesting.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.api.spi.StorageEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksStorageEngineTest {

    @TempDir
    Path tmp;

    @Test
    void isFoundByServiceLoaderUnderItsName() {
        List<String> names = ServiceLoader.load(StorageEngine.class).stream()
                .map(p -> p.get().name()).toList();
        assertTrue(names.contains("rocks"), names::toString);
    }

    @Test
    void createsTheDirectoryOwnerOnly() throws Exception {
        Path dir = tmp.resolve("a/b/store");
        open(dir).close();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void reopenKeepsEveryKeyspace() {
        Path dir = tmp.resolve("db");
        try (KeyValueStore store = open(dir)) {
            try (KvBatch batch = store.batch()) {
                for (Keyspace keyspace : Keyspace.values()) {
                    batch.put(keyspace, b("k"), b("value of " + keyspace));
                }
                batch.commit();
            }
        }
        try (KeyValueStore store = open(dir)) {
            for (Keyspace keyspace : Keyspace.values()) {
                assertEquals("value of " + keyspace, s(store.get(keyspace, b("k"))));
            }
        }
    }

    @Test
    void keyspacesAreSeparate() {
        try (KeyValueStore store = open(tmp)) {
            put(store, Keyspace.JOURNAL, "same", "journal");
            put(store, Keyspace.META, "only-meta", "x");
            assertEquals("journal", s(store.get(Keyspace.JOURNAL, b("same"))));
            for (Keyspace other : List.of(Keyspace.CONTENT, Keyspace.VERSIONS, Keyspace.PATHS, Keyspace.META)) {
                assertNull(store.get(other, b("same")), other::toString);
            }
            assertEquals(List.of("same"), keys(store, Keyspace.JOURNAL, null, null));
            assertEquals(List.of("only-meta"), keys(store, Keyspace.META, null, null));
            assertEquals(List.of(), keys(store, Keyspace.PATHS, null, null));
        }
    }

    @Test
    void deleteAndDeleteRangeAffectOnlyTheirKeyspaceAndRange() {
        try (KeyValueStore store = open(tmp)) {
            try (KvBatch batch = store.batch()) {
                for (String k : List.of("a", "b", "c", "d", "e")) {
                    batch.put(Keyspace.JOURNAL, b(k), b(k));
                    batch.put(Keyspace.VERSIONS, b(k), b(k));
                }
                batch.commit();
            }
            try (KvBatch batch = store.batch()) {
                batch.deleteRange(Keyspace.JOURNAL, b("b"), b("d"));
                batch.delete(Keyspace.JOURNAL, b("e"));
                batch.deleteRange(Keyspace.JOURNAL, b("z"), b("a")); // empty: ignored
                assertEquals(2, batch.size());
                batch.commit();
            }
            assertEquals(List.of("a", "d"), keys(store, Keyspace.JOURNAL, null, null));
            assertEquals(List.of("a", "b", "c", "d", "e"), keys(store, Keyspace.VERSIONS, null, null));
        }
    }

    @Test
    void aBatchSpanningKeyspacesIsAppliedWhole() {
        Path dir = tmp.resolve("db");
        try (KeyValueStore store = open(dir); KvBatch batch = store.batch()) {
            batch.put(Keyspace.JOURNAL, b("j"), b("1"));
            batch.put(Keyspace.CONTENT, b("c"), b("2"));
            batch.delete(Keyspace.META, b("absent"));
            batch.commit();
            assertThrows(IllegalStateException.class, () -> batch.put(Keyspace.JOURNAL, b("x"), b("y")));
            assertThrows(IllegalStateException.class, batch::commit);
        }
        try (KeyValueStore store = open(dir)) {
            assertEquals("1", s(store.get(Keyspace.JOURNAL, b("j"))));
            assertEquals("2", s(store.get(Keyspace.CONTENT, b("c"))));
        }
    }

    @Test
    void aBatchClosedWithoutCommitWritesNothing() {
        try (KeyValueStore store = open(tmp)) {
            try (KvBatch batch = store.batch()) {
                batch.put(Keyspace.JOURNAL, b("k"), b("v"));
            }
            assertNull(store.get(Keyspace.JOURNAL, b("k")));
        }
    }

    @Test
    void keysAreComparedAsUnsignedBytes() {
        try (KeyValueStore store = open(tmp); KvBatch batch = store.batch()) {
            byte[][] keys = {{(byte) 0xFF}, {0x00}, {(byte) 0x80}, {0x7F}, {0x00, 0x00}, {}};
            for (byte[] key : keys) {
                batch.put(Keyspace.VERSIONS, key, key);
            }
            batch.commit();
            try (KvCursor cursor = store.scan(Keyspace.VERSIONS, null, null)) {
                byte[][] expected = {{}, {0x00}, {0x00, 0x00}, {0x7F}, {(byte) 0x80}, {(byte) 0xFF}};
                for (byte[] key : expected) {
                    assertTrue(cursor.next());
                    assertArrayEquals(key, cursor.key());
                    assertArrayEquals(key, cursor.value());
                }
                assertTrue(!cursor.next());
            }
        }
    }

    @Test
    void largeValuesGoToBlobFilesAndReadBack() throws Exception {
        Path dir = tmp.resolve("db");
        byte[] big = new byte[1 << 20];
        new Random(42).nextBytes(big);
        byte[] small = b("tiny content stays in the table");
        try (KeyValueStore store = open(dir); KvBatch batch = store.batch()) {
            batch.put(Keyspace.CONTENT, b("big"), big);
            batch.put(Keyspace.CONTENT, b("small"), small);
            batch.commit();
            assertArrayEquals(big, store.get(Keyspace.CONTENT, b("big")));
        }
        // Reopening replays the WAL into memtables; values move to blob files when those are flushed.
        try (KeyValueStore store = open(dir)) {
            assertArrayEquals(big, store.get(Keyspace.CONTENT, b("big")));
            assertArrayEquals(small, store.get(Keyspace.CONTENT, b("small")));
            ((RocksKeyValueStore) store).flush();
            assertArrayEquals(big, store.get(Keyspace.CONTENT, b("big")));
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> blobs = files.filter(p -> p.toString().endsWith(".blob")).toList();
                assertEquals(1, blobs.size(), "blob files: " + blobs);
                // Random bytes do not compress: the blob holds the big value itself.
                assertTrue(Files.size(blobs.get(0)) > 1_000_000, () -> "blob size " + blobs);
            }
        }
    }

    @Test
    void everyCallAfterCloseFailsClearly() {
        RocksKeyValueStore store = open(tmp);
        KvBatch batch = store.batch();
        batch.put(Keyspace.JOURNAL, b("k"), b("v"));
        KvCursor cursor = store.scan(Keyspace.JOURNAL, null, null);
        store.close();
        store.close(); // idempotent

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.get(Keyspace.JOURNAL, b("k")));
        assertTrue(e.getMessage().contains("closed") && e.getMessage().contains(tmp.toString()), e.getMessage());
        assertThrows(IllegalStateException.class, store::batch);
        assertThrows(IllegalStateException.class, () -> store.scan(Keyspace.JOURNAL, null, null));
        assertThrows(IllegalStateException.class, store::sync);
        assertThrows(IllegalStateException.class, store::maxKeySize);
        assertThrows(IllegalStateException.class, batch::commit);
        assertThrows(IllegalStateException.class, cursor::next);
        cursor.close(); // still fine, and idempotent
        cursor.close();
        batch.close();
        assertEquals(0, store.openCursors());
    }

    @Test
    void aSecondOpenOfTheSameDirectoryFailsClearly() {
        Path dir = tmp.resolve("db");
        try (KeyValueStore store = open(dir)) {
            TimeMachineException e = assertThrows(TimeMachineException.class, () -> open(dir));
            assertTrue(e.getMessage().contains("already open") && e.getMessage().contains(dir.toString()),
                    e.getMessage());
            put(store, Keyspace.META, "still", "usable");
        }
        try (KeyValueStore store = open(dir)) {
            assertEquals("usable", s(store.get(Keyspace.META, b("still"))));
        }
    }

    @Test
    void aFileWhereTheDirectoryShouldBeFailsClearly() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "not a database");
        TimeMachineException e = assertThrows(TimeMachineException.class, () -> open(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not a directory"),
                e.getMessage());
    }

    @Test
    void keysLongerThanTheMaximumAreRefused() {
        try (KeyValueStore store = open(tmp); KvBatch batch = store.batch()) {
            assertEquals(8192, store.maxKeySize());
            batch.put(Keyspace.PATHS, new byte[store.maxKeySize()], b("fits"));
            batch.commit();
            assertEquals("fits", s(store.get(Keyspace.PATHS, new byte[store.maxKeySize()])));
            assertThrows(IllegalArgumentException.class, () -> store.get(Keyspace.PATHS, new byte[8193]));
        }
    }

    @Test
    void syncMakesTheLogDurableAndKeepsTheStoreUsable() {
        try (KeyValueStore store = open(tmp)) {
            put(store, Keyspace.JOURNAL, "k", "v");
            store.sync();
            put(store, Keyspace.JOURNAL, "k2", "v2");
            assertEquals(List.of("k", "k2"), keys(store, Keyspace.JOURNAL, null, null));
        }
    }

    @Test
    void optionsAreIgnored() {
        new RocksStorageEngine().open(tmp, Map.of("unknown.key", "x")).close();
    }
}
