package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.io.TempDir;

/** Random puts, deletes and range deletes over a base store, against a model; the base never changes. */
class OverlayKeyValueStoreTest {
    @TempDir
    Path tmp;

    private static byte[] key(Random rnd) {
        return new byte[] {(byte) rnd.nextInt(4), (byte) rnd.nextInt(256)};
    }

    private static List<String> scan(KeyValueStore kv, byte[] from, byte[] to) {
        List<String> out = new ArrayList<>();
        try (KvCursor c = kv.scan(Keyspace.VERSIONS, from, to)) {
            while (c.next()) {
                out.add(HexFormat.of().formatHex(c.key()) + "=" + HexFormat.of().formatHex(c.value()));
            }
        }
        return out;
    }

    private static List<String> model(TreeMap<byte[], byte[]> m, byte[] from, byte[] to) {
        List<String> out = new ArrayList<>();
        m.forEach((k, v) -> {
            if ((from == null || Arrays.compareUnsigned(k, from) >= 0) && (to == null || Arrays.compareUnsigned(k, to) < 0)) {
                out.add(HexFormat.of().formatHex(k) + "=" + HexFormat.of().formatHex(v));
            }
        });
        return out;
    }

    @RepeatedTest(5)
    void readsLikeTheBaseWithTheOverlaysWritesApplied(RepetitionInfo info) {
        Random rnd = new Random(info.getCurrentRepetition());
        KeyValueStore base = new MemoryEngine().open(tmp.resolve("base"), Map.of());
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        try (KvBatch b = base.batch()) {
            for (int i = 0; i < 300; i++) {
                byte[] k = key(rnd);
                byte[] v = {(byte) i};
                b.put(Keyspace.VERSIONS, k, v);
                model.put(k, v);
            }
            b.commit();
        }
        List<String> baseBefore = scan(base, null, null);
        OverlayKeyValueStore overlay = new OverlayKeyValueStore(base);
        for (int step = 0; step < 300; step++) {
            try (KvBatch b = overlay.batch()) {
                byte[] k = key(rnd);
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        byte[] v = {(byte) step, 1};
                        b.put(Keyspace.VERSIONS, k, v);
                        model.put(k, v);
                    }
                    case 1 -> {
                        b.delete(Keyspace.VERSIONS, k);
                        model.remove(k);
                    }
                    default -> {
                        byte[] to = key(rnd);
                        if (Arrays.compareUnsigned(k, to) < 0) {
                            b.deleteRange(Keyspace.VERSIONS, k, to);
                            model.subMap(k, true, to, false).clear();
                        }
                    }
                }
                b.commit();
            }
            byte[] probe = key(rnd);
            byte[] expected = model.get(probe);
            if (expected == null) {
                assertNull(overlay.get(Keyspace.VERSIONS, probe));
            } else {
                assertArrayEquals(expected, overlay.get(Keyspace.VERSIONS, probe));
            }
            byte[] from = rnd.nextBoolean() ? null : key(rnd);
            byte[] to = rnd.nextBoolean() ? null : key(rnd);
            assertEquals(model(model, from, to), scan(overlay, from, to), "step " + step);
        }
        assertEquals(baseBefore, scan(base, null, null), "the base is only read");
        overlay.close();
    }
}
