package dev.timemachine.cli.robustness;

import static dev.timemachine.core.RecordingBuilder.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.cli.fidelity.Cli;
import dev.timemachine.core.TimeMachine;
import dev.timemachine.core.StoreTesting;
import dev.timemachine.core.RecordingBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/architecture.md §9: corrupt data is an error that names its key. Values of a real RocksDB state dir are damaged
 * through the key-value store underneath; {@code verify} must name the key, and {@code export} and
 * {@code cat} must fail with exit 1 and one line naming it, never write damaged bytes silently.
 */
class CorruptStateDirTest {
    private static final long S = 1_000_000_000L;
    private static final long START = 5_000 * S;
    private static final long WALL = Instant.parse("2026-11-25T17:00:00Z").getEpochSecond() * S;

    @TempDir
    Path tmp;
    Path state;
    byte[] small;
    byte[] large;

    @BeforeEach
    void recording() {
        state = tmp.resolve("state");
        Random r = new Random(11);
        small = new byte[3_000];
        large = new byte[600_000];
        r.nextBytes(small);
        r.nextBytes(large);
        try (TimeMachine st = TimeMachine.create(state, TimeMachine.Options.defaults().withEngine("rocks"))) {
            RecordingBuilder.create(st.store(), START, WALL, START + 10 * S, "/w")
                    .dir("/w", START, 0755)
                    .file("/w/early.txt", START, 0644, "there from the start\n")
                    .file("/w/small.bin", START + 2 * S, 0644, small)
                    .file("/w/large.bin", START + 3 * S, 0644, large)
                    .flush();
        }
    }

    private String s() {
        return state.toString();
    }

    /** Changes the value under {@code key} with {@code damage}; returns the key as the tool names it. */
    private String damage(Keyspace ks, Function<KeyValueStore, byte[]> pickKey, Function<byte[], byte[]> damage) {
        try (TimeMachine st = TimeMachine.open(state, TimeMachine.Options.defaults().withFinishInterrupted(false))) {
            KeyValueStore kv = StoreTesting.keyValueStore(st);
            byte[] key = pickKey.apply(kv);
            byte[] value = kv.get(ks, key);
            assertNotNull(value, "a value to damage");
            try (KvBatch batch = kv.batch()) {
                batch.put(ks, key, damage.apply(value.clone()));
                batch.commit();
            }
            return ks.prefix() + ":" + HexFormat.of().formatHex(key);
        }
    }

    private byte[] contentKey(String path) {
        try (TimeMachine st = TimeMachine.open(state, TimeMachine.Options.defaults().withFinishInterrupted(false))) {
            int id = st.recordings().get(0).id();
            ContentHash h = st.store().versions(id).latest(b(path), Long.MAX_VALUE).orElseThrow().record().content();
            return h.toBytes();
        }
    }

    private static byte[] flipLastByte(byte[] v) {
        v[v.length - 1] ^= 0x5a;
        return v;
    }

    private static void assertOneLineFailureNaming(Cli r, String key) {
        assertEquals(1, r.exitCode(), r.printed());
        assertEquals(1, r.err().lines().count(), "one line: " + r.printed());
        assertTrue(r.err().contains(key), "names " + key + ": " + r.printed());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.printed());
    }

    @Test
    void aFlippedByteInContentIsNamedByVerifyExportAndCat() throws Exception {
        byte[] key = contentKey("/w/small.bin");
        String named = damage(Keyspace.CONTENT, kv -> key, CorruptStateDirTest::flipLastByte);

        Cli verify = Cli.run("verify", "--state-dir", s());
        assertEquals(1, verify.exitCode(), verify.printed());
        assertTrue(verify.out().contains(named), "verify names " + named + ": " + verify.printed());

        Path out = tmp.resolve("out");
        assertOneLineFailureNaming(Cli.run("export", "--state-dir", s(), "--time", "latest", "--out", out.toString()), named);
        assertOneLineFailureNaming(Cli.run("cat", "--state-dir", s(), "/w/small.bin", "--time", "latest"), named);

        Path before = tmp.resolve("before");
        Cli early = Cli.run("export", "--state-dir", s(), "--time", "1s", "--out", before.toString());
        assertEquals(0, early.exitCode(), "an instant before the damaged content was written still exports: " + early.printed());
        assertEquals("there from the start\n", Files.readString(before.resolve("early.txt")));
    }

    @Test
    void aDamagedChunkOfLargeContentIsNamed() {
        byte[] whole = contentKey("/w/large.bin");
        byte[] part;
        try (TimeMachine st = TimeMachine.open(state, TimeMachine.Options.defaults().withFinishInterrupted(false))) {
            var parts = st.store().content().parts(ContentHash.of(whole));
            assertTrue(parts.size() > 1, "600 kB of content is stored as chunks: " + parts);
            part = parts.get(parts.size() / 2).toBytes();
        }
        String named = damage(Keyspace.CONTENT, kv -> part, v -> {
            v[v.length / 2] ^= 1;
            return v;
        });
        Cli verify = Cli.run("verify", "--state-dir", s());
        assertEquals(1, verify.exitCode(), verify.printed());
        assertTrue(verify.out().contains(named), "verify names the chunk " + named + ": " + verify.printed());
        Cli export = Cli.run("export", "--state-dir", s(), "--time", "latest", "--out", tmp.resolve("out").toString());
        assertEquals(1, export.exitCode(), export.printed());
        assertEquals(1, export.err().lines().count(), export.printed());
        String wholeKey = "c:" + HexFormat.of().formatHex(whole);
        assertTrue(export.err().contains(named) || export.err().contains(wholeKey),
                "export names the damaged chunk or the content it belongs to: " + export.printed());
    }

    @Test
    void anUnreadableVersionRecordIsNamed() {
        byte[][] picked = new byte[1][];
        String named = damage(Keyspace.VERSIONS, kv -> {
            try (KvCursor c = kv.scan(Keyspace.VERSIONS, null, null)) {
                while (c.next()) {
                    picked[0] = c.key();
                }
            }
            return picked[0];
        }, v -> {
            v[0] = (byte) 0x7f; // every value starts with its format version: this one is unknown
            return v;
        });
        Cli verify = Cli.run("verify", "--state-dir", s());
        assertEquals(1, verify.exitCode(), verify.printed());
        assertTrue(verify.out().contains(named), "verify names " + named + ": " + verify.printed());
        assertOneLineFailureNaming(Cli.run("export", "--state-dir", s(), "--time", "latest", "--out",
                tmp.resolve("out").toString()), named);
    }

    /** A stored path patched in place (small.bin to smXll.bin): export checks it as verify does, and writes neither. */
    @Test
    void aPatchedPathIsAnErrorNotAFileUnderAnotherName() {
        byte[] name = "small.bin".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String named = damage(Keyspace.PATHS, kv -> {
            try (var c = kv.scan(Keyspace.PATHS, null, null)) {
                while (c.next()) {
                    String v = new String(c.value(), java.nio.charset.StandardCharsets.ISO_8859_1);
                    if (c.key().length == 9 && v.endsWith("/w/small.bin")) {
                        return c.key(); // the path by its id
                    }
                }
            }
            throw new AssertionError("no path entry for /w/small.bin");
        }, v -> {
            v[v.length - name.length + 2] = 'X';
            return v;
        });
        Cli verify = Cli.run("verify", "--state-dir", s());
        assertEquals(1, verify.exitCode(), verify.printed());
        assertTrue(verify.out().contains(named), "verify names " + named + ": " + verify.printed());
        Path out = tmp.resolve("out");
        assertOneLineFailureNaming(Cli.run("export", "--state-dir", s(), "--time", "latest", "--out", out.toString()), named);
        assertFalse(Files.exists(out.resolve("smXll.bin")), "not written under the patched name");
    }
}
