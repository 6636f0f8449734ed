package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ordered key-value SPI every engine implements. */
public abstract class KeyValueStoreContract extends EngineTestBase {

    private KeyValueStore openKv() {
        return engine().open(tmp.resolve("kv"), Map.of());
    }

    private static void put(KeyValueStore kv, Keyspace ks, byte[] k, byte[] v) {
        try (KvBatch b = kv.batch()) {
            b.put(ks, k, v);
            b.commit();
        }
    }

    private static List<String> keys(KeyValueStore kv, Keyspace ks, byte[] from, byte[] to) {
        List<String> out = new ArrayList<>();
        try (KvCursor c = kv.scan(ks, from, to)) {
            while (c.next()) {
                out.add(java.util.HexFormat.of().formatHex(c.key()));
            }
        }
        return out;
    }

    @Test
    void keyspacesAreSeparateAndKeysCompareUnsigned() {
        try (KeyValueStore kv = openKv()) {
            put(kv, Keyspace.JOURNAL, new byte[] {(byte) 0xFF}, bytes("high"));
            put(kv, Keyspace.JOURNAL, new byte[] {0x01}, bytes("low"));
            put(kv, Keyspace.JOURNAL, new byte[] {0x01, 0x00}, bytes("longer"));
            put(kv, Keyspace.META, new byte[] {0x01}, bytes("meta"));
            assertEquals(List.of("01", "0100", "ff"), keys(kv, Keyspace.JOURNAL, null, null));
            assertEquals(List.of("01"), keys(kv, Keyspace.META, null, null));
            assertEquals(List.of(), keys(kv, Keyspace.CONTENT, null, null));
            assertArrayEquals(bytes("meta"), kv.get(Keyspace.META, new byte[] {0x01}));
            assertNull(kv.get(Keyspace.VERSIONS, new byte[] {0x01}));
        }
    }

    @Test
    void scanHonoursBoundsAndDeleteRange() {
        try (KeyValueStore kv = openKv()) {
            try (KvBatch b = kv.batch()) {
                for (int i = 0; i < 10; i++) {
                    b.put(Keyspace.VERSIONS, new byte[] {(byte) i}, new byte[] {(byte) i});
                }
                assertEquals(10, b.size());
                b.commit();
            }
            assertEquals(List.of("03", "04", "05"), keys(kv, Keyspace.VERSIONS, new byte[] {3}, new byte[] {6}));
            assertEquals(List.of("08", "09"), keys(kv, Keyspace.VERSIONS, new byte[] {8}, null));
            assertEquals(List.of("00", "01"), keys(kv, Keyspace.VERSIONS, null, new byte[] {2}));
            try (KvBatch b = kv.batch()) {
                b.deleteRange(Keyspace.VERSIONS, new byte[] {2}, new byte[] {8});
                b.delete(Keyspace.VERSIONS, new byte[] {0});
                b.commit();
            }
            assertEquals(List.of("01", "08", "09"), keys(kv, Keyspace.VERSIONS, null, null));
        }
    }

    @Test
    void batchIsInvisibleUntilCommittedAndDiscardedOnClose() {
        try (KeyValueStore kv = openKv()) {
            try (KvBatch b = kv.batch()) {
                b.put(Keyspace.CONTENT, new byte[] {1}, bytes("x"));
                assertNull(kv.get(Keyspace.CONTENT, new byte[] {1}));
            }
            assertNull(kv.get(Keyspace.CONTENT, new byte[] {1}));
            try (KvBatch b = kv.batch()) {
                b.put(Keyspace.CONTENT, new byte[] {1}, bytes("x"));
                b.put(Keyspace.JOURNAL, new byte[] {1}, bytes("y"));
                b.commit();
            }
            assertArrayEquals(bytes("x"), kv.get(Keyspace.CONTENT, new byte[] {1}));
            assertArrayEquals(bytes("y"), kv.get(Keyspace.JOURNAL, new byte[] {1}));
        }
    }

    @Test
    void cursorSeesTheSnapshotItWasOpenedOn() {
        try (KeyValueStore kv = openKv()) {
            put(kv, Keyspace.JOURNAL, new byte[] {1}, bytes("a"));
            try (KvCursor c = kv.scan(Keyspace.JOURNAL, null, null)) {
                put(kv, Keyspace.JOURNAL, new byte[] {2}, bytes("b"));
                int n = 0;
                while (c.next()) {
                    n++;
                }
                assertEquals(1, n);
            }
        }
    }

    @Test
    void reopenKeepsDataAndLargeValues() {
        byte[] big = new byte[1 << 20];
        new java.util.Random(7).nextBytes(big);
        try (KeyValueStore kv = openKv()) {
            put(kv, Keyspace.CONTENT, new byte[] {9}, big);
            kv.sync();
        }
        try (KeyValueStore kv = openKv()) {
            assertArrayEquals(big, kv.get(Keyspace.CONTENT, new byte[] {9}));
        }
    }

    @Test
    void useAfterCloseFailsClearlyAndCloseIsIdempotent() {
        KeyValueStore kv = openKv();
        kv.close();
        kv.close();
        assertThrows(IllegalStateException.class, () -> kv.get(Keyspace.META, new byte[] {1}));
        assertThrows(IllegalStateException.class, kv::batch);
        assertThrows(IllegalStateException.class, () -> kv.scan(Keyspace.META, null, null));
    }
}
