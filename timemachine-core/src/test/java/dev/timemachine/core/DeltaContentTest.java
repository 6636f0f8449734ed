package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.api.spi.StorageEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** gc packs keyframes of small files as bsdiff patches to the keyframe before them, where that is much smaller. */
class DeltaContentTest extends EngineTestBase {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** {@code base} with {@code edits} bytes changed at scattered offsets. */
    private static byte[] edited(byte[] base, int edits, long seed) {
        byte[] b = base.clone();
        Random r = new Random(seed);
        for (int i = 0; i < edits; i++) {
            b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
        }
        return b;
    }

    private static byte[] value(KvTimeMachineStore store, byte[] content) {
        return store.keyValueStore().get(Keyspace.CONTENT, ContentHash.sha256(content).toBytes());
    }

    private static void put(KvTimeMachineStore store, byte[] content) {
        store.kvContent().putHashed(Map.of(ContentHash.sha256(content), content));
    }

    /** The bases of the deltas stored by the test's packs. */
    private final Set<ContentHash> bases = new HashSet<>();

    /** Packs each content with the one before it. */
    private int pack(KvTimeMachineStore store, List<byte[]> chronological) {
        List<ContentHash[]> pairs = new ArrayList<>();
        for (int i = 1; i < chronological.size(); i++) {
            pairs.add(new ContentHash[] {ContentHash.sha256(chronological.get(i)),
                    ContentHash.sha256(chronological.get(i - 1))});
        }
        return store.kvContent().pack(pairs, bases).values();
    }

    @Test
    void aSmallEditIsStoredAsAPatchAndReadBackExactly() {
        KvTimeMachineStore store = open();
        byte[] a = random(32 << 10, 1);
        byte[] b = edited(a, 20, 2);
        put(store, a);
        put(store, b);
        assertEquals(1, pack(store, List.of(a, b)));
        byte[] stored = value(store, b);
        assertEquals(ContentCodec.DELTA, stored[1]);
        assertTrue(stored.length < b.length / 10, "a patch of 20 changed bytes: " + stored.length + " bytes");
        assertArrayEquals(b, store.content().get(ContentHash.sha256(b)));
        List<ContentHash> refs = new ArrayList<>();
        ContentCodec.INSTANCE.references(ContentHash.sha256(b).toBytes(), stored, refs::add);
        assertEquals(List.of(ContentHash.sha256(a)), refs, "gc keeps the base of a delta");
        assertTrue(StoreVerifier.verify(store, ProgressListener.SILENT).ok());
    }

    @Test
    void contentUnlikeItsBaseIsStoredWhole() {
        KvTimeMachineStore store = open();
        byte[] a = random(16 << 10, 1);
        byte[] c = random(16 << 10, 3);
        put(store, a);
        put(store, c);
        assertEquals(0, pack(store, List.of(a, c)));
        assertEquals(ContentCodec.RAW, value(store, c)[1]);
        assertArrayEquals(c, store.content().get(ContentHash.sha256(c)));
    }

    @Test
    void chainsStayShortAndNeverLoop() {
        KvTimeMachineStore store = open();
        List<byte[]> versions = new ArrayList<>();
        versions.add(random(8 << 10, 1));
        for (int i = 1; i < 30; i++) {
            versions.add(edited(versions.get(i - 1), 5, i));
        }
        versions.forEach(v -> put(store, v));
        // the first 15 in one pass, the rest in a second, and then a pass that would close loops
        pack(store, versions.subList(0, 15));
        pack(store, versions.subList(14, versions.size()));
        assertEquals(0, pack(store, List.of(versions.get(5), versions.get(4), versions.get(0))),
                "a base or a delta is never made a delta again");
        int deltas = 0;
        for (byte[] v : versions) {
            byte[] stored = value(store, v);
            if (stored[1] == ContentCodec.DELTA) {
                deltas++;
                int depth = stored[2];
                assertTrue(depth >= 1 && depth <= KvContentStore.DELTA_CHAIN, "depth " + depth);
            }
            assertArrayEquals(v, store.content().get(ContentHash.sha256(v)));
        }
        // every ninth starts a chain again
        assertEquals(versions.size() - (versions.size() + KvContentStore.DELTA_CHAIN) / (KvContentStore.DELTA_CHAIN + 1),
                deltas);
        assertTrue(StoreVerifier.verify(store, ProgressListener.SILENT).ok());
    }

    @Test
    void aDamagedDeltaOrAMissingBaseIsReportedNotRebuiltWrong() {
        KvTimeMachineStore store = open();
        byte[] a = random(16 << 10, 1);
        byte[] b = edited(a, 10, 2);
        byte[] c = random(16 << 10, 3);
        byte[] d = edited(c, 10, 4);
        List.of(a, b, c, d).forEach(v -> put(store, v));
        assertEquals(2, pack(store, List.of(a, b)) + pack(store, List.of(c, d)));
        byte[] damaged = value(store, b).clone();
        damaged[damaged.length / 2] ^= 0x55;
        try (KvBatch batch = store.keyValueStore().batch()) {
            batch.put(Keyspace.CONTENT, ContentHash.sha256(b).toBytes(), damaged);
            batch.delete(Keyspace.CONTENT, ContentHash.sha256(c).toBytes());
            batch.commit();
        }
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> store.content().get(ContentHash.sha256(b)));
        assertEquals("c:" + ContentHash.sha256(b), e.key());
        CorruptDataException missing = assertThrows(CorruptDataException.class,
                () -> store.content().get(ContentHash.sha256(d)));
        assertTrue(missing.getMessage().contains("base " + ContentHash.sha256(c)), missing.getMessage());
        List<VerifyReport.Problem> problems = StoreVerifier.verify(store, ProgressListener.SILENT).problems();
        assertTrue(problems.stream().anyMatch(p -> p.key().equals("c:" + ContentHash.sha256(b))
                && p.kind() == VerifyReport.Kind.HASH_MISMATCH), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.key().equals("c:" + ContentHash.sha256(d))
                && p.kind() == VerifyReport.Kind.MISSING_CONTENT), problems.toString());
    }

    /**
     * A small database file whose 4 KiB pages are rewritten in place with a few bytes changed each time, as SQLite
     * does: after gc its keyframes are patches, and every version still rebuilds exactly.
     */
    @Test
    void gcPacksTheKeyframesOfASmallHotFile() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        byte[] path = (root + "/app.db").getBytes();
        Clock clock = Clock.fixed(Instant.parse("2026-11-26T09:00:00Z"), ZoneOffset.UTC);
        int page = 4096;
        int pages = 12;
        List<byte[]> versions = new ArrayList<>();
        try (CompactionRig rig = CompactionRig.create(tmp.resolve("state"), engine(), root, 0, clock)) {
            List<FsEvent> events = new ArrayList<>();
            events.add(new FsEvent(1, 1, 1, Op.CREATE, path, null, 0, 0, 0644, null, 0));
            byte[] content = random(pages * page, 7);
            events.add(FsEvent.write(2, 1, path, 0, content));
            Random r = new Random(8);
            for (int i = 0; i < 600; i++) {
                content = content.clone();
                int at = r.nextInt(pages) * page;
                byte[] edit = edited(Arrays.copyOfRange(content, at, at + page), 3, 100 + i);
                System.arraycopy(edit, 0, content, at, page);
                versions.add(content);
                events.add(FsEvent.write(10 + i, 1, path, at, edit));
            }
            rig.journal().append(events);
            rig.compactUpTo(Long.MAX_VALUE);
            KvTimeMachineStore store = (KvTimeMachineStore) rig.store();
            GcResult gc = GarbageCollector.collect(store, List.of(), ProgressListener.SILENT);
            KvReplayer replayer = new KvReplayer(rig.store(), rig.recording().id());
            for (int i = 0; i < versions.size(); i++) {
                assertArrayEquals(versions.get(i), replayer.contentAt(path, 10 + i, Long.MAX_VALUE), "version " + i);
            }
            int deltas = 0;
            int whole = 0;
            try (KvCursor c = store.keyValueStore().scan(Keyspace.CONTENT, null, null)) {
                while (c.next()) {
                    deltas += c.value()[1] == ContentCodec.DELTA ? 1 : 0;
                    whole += c.value()[1] == ContentCodec.RAW && c.value().length > pages * page ? 1 : 0;
                }
            }
            // a keyframe after twice the file's size of page writes: 600 page writes make about 27, the first of
            // each chain of up to 9 stored whole
            assertTrue(deltas >= 20, deltas + " keyframes stored as patches");
            assertEquals(deltas, gc.keyframesPacked());
            assertTrue(whole <= 1 + deltas / KvContentStore.DELTA_CHAIN, whole + " keyframes stored whole");
            assertTrue(StoreVerifier.verify(store, ProgressListener.SILENT).ok());
            assertEquals(0, GarbageCollector.collect(store, List.of(), ProgressListener.SILENT).keyframesPacked(),
                    "a second gc has nothing left to pack");
        }
    }
}
