package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.ContentMissingException;
import dev.timemachine.api.ContentStore;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Content-addressed put, get, dedup, contains, missing content and corruption. */
public abstract class ContentStoreContract extends EngineTestBase {

    private static List<ContentHash> hashes(ContentStore cas) {
        List<ContentHash> out = new ArrayList<>();
        cas.forEachHash(out::add);
        return out;
    }

    @Test
    void storesUnderTheSha256AndOnlyOnce() throws Exception {
        ContentStore cas = open().content();
        byte[] data = bytes("hello, time machine");
        ContentHash h = cas.put(data);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), h.toBytes());
        assertEquals(h, cas.put(data.clone()));
        assertEquals(h, cas.put(data));
        assertEquals(List.of(h), hashes(cas));
        assertArrayEquals(data, cas.get(h));
        assertTrue(cas.contains(h));
    }

    /** Content handed over with the hash its writer computed is stored as if put: once, chunked when large. */
    @Test
    void contentPutWithItsHashIsStoredLikeAnyOther() {
        ContentStore cas = open().content();
        byte[] small = bytes("small");
        byte[] big = new byte[1 << 20];
        new Random(3).nextBytes(big);
        java.util.Map<ContentHash, byte[]> hashed = new java.util.LinkedHashMap<>();
        hashed.put(ContentHash.sha256(small), small);
        hashed.put(ContentHash.sha256(big), big);
        cas.putHashed(hashed);
        assertArrayEquals(small, cas.get(ContentHash.sha256(small)));
        assertArrayEquals(big, cas.get(ContentHash.sha256(big)));
        assertFalse(cas.parts(ContentHash.sha256(big)).isEmpty());
        int stored = hashes(cas).size();
        assertEquals(List.of(ContentHash.sha256(small), ContentHash.sha256(big)), cas.putAll(List.of(small, big)));
        cas.putHashed(hashed);
        assertEquals(stored, hashes(cas).size());
    }

    @Test
    void holdsEmptyAndLargeContent() {
        ContentStore cas = open().content();
        byte[] big = new byte[4 << 20];
        new Random(1).nextBytes(big);
        ContentHash empty = cas.put(new byte[0]);
        ContentHash large = cas.put(big);
        assertArrayEquals(new byte[0], cas.get(empty));
        assertArrayEquals(big, cas.get(large));
        assertEquals(2 + cas.parts(large).size(), hashes(cas).size());
    }

    @Test
    void largeContentIsChunkedAndVersionsShareTheirUnchangedChunks() {
        ContentStore cas = open().content();
        byte[] v1 = new byte[2 << 20];
        new Random(9).nextBytes(v1);
        ContentHash h1 = cas.put(v1);
        int afterFirst = hashes(cas).size();
        List<ContentHash> parts = cas.parts(h1);
        assertTrue(parts.size() > 100, "2 MiB should make many chunks, got " + parts.size());
        byte[] v2 = v1.clone();
        v2[1 << 20] ^= 1; // one byte changed in the middle
        byte[] v3 = java.util.Arrays.copyOf(v1, v1.length + 5_000); // an append
        List<ContentHash> more = cas.putAll(List.of(v2, v3, v2));
        assertEquals(more.get(0), more.get(2));
        int added = hashes(cas).size() - afterFirst;
        assertTrue(added <= 2 + 6, "two new versions should add their manifests and a few chunks, added " + added);
        assertArrayEquals(v1, cas.get(h1));
        assertArrayEquals(v2, cas.get(more.get(0)));
        assertArrayEquals(v3, cas.get(more.get(1)));
        assertEquals(List.of(), cas.parts(cas.put(bytes("small"))));
    }

    @Test
    void zerosOfEverySizeAroundTheChunkLimitsRoundTrip() {
        ContentStore cas = open().content();
        for (int size : new int[] {65_535, 65_536, 65_537, 131_072, 131_073, 1 << 20}) {
            byte[] zeros = new byte[size];
            assertArrayEquals(zeros, cas.get(cas.put(zeros)), "size " + size);
        }
    }

    @Test
    void aMissingChunkIsAClearError() {
        ContentStore cas = open().content();
        byte[] big = new byte[300_000];
        new Random(2).nextBytes(big);
        ContentHash h = cas.put(big);
        ContentHash chunk = cas.parts(h).get(1);
        cas.delete(chunk);
        ContentMissingException e = assertThrows(ContentMissingException.class, () -> cas.get(h));
        assertEquals(chunk, e.hash());
    }

    @Test
    void missingContentIsAClearError() {
        ContentStore cas = open().content();
        ContentHash absent = ContentHash.of(new byte[32]);
        assertFalse(cas.contains(absent));
        ContentMissingException e = assertThrows(ContentMissingException.class, () -> cas.get(absent));
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
        ContentHash h = cas.put(bytes("gone soon"));
        cas.delete(h);
        assertFalse(cas.contains(h));
        assertThrows(ContentMissingException.class, () -> cas.get(h));
    }

    @Test
    void corruptValuesAreNamedByKey() {
        KvTimeMachineStore store = open();
        ContentStore cas = store.content();
        ContentHash tampered = cas.put(bytes("original"));
        ContentHash badVersion = cas.put(bytes("other"));
        try (KvBatch b = store.keyValueStore().batch()) {
            b.put(Keyspace.CONTENT, tampered.toBytes(), new byte[] {1, 0, 'e', 'v', 'i', 'l'});
            b.put(Keyspace.CONTENT, badVersion.toBytes(), new byte[] {99, 0, 'x'});
            b.commit();
        }
        CorruptDataException e1 = assertThrows(CorruptDataException.class, () -> cas.get(tampered));
        assertEquals("c:" + tampered, e1.key());
        CorruptDataException e2 = assertThrows(CorruptDataException.class, () -> cas.get(badVersion));
        assertTrue(e2.getMessage().startsWith("c:" + badVersion + ": unknown format version 99"), e2.getMessage());
    }

    @Test
    void reopenKeepsContent() {
        byte[] data = new byte[100_000];
        new Random(3).nextBytes(data);
        KvTimeMachineStore store = open();
        ContentHash h = store.content().put(data);
        store.close();
        assertArrayEquals(data, open().content().get(h));
    }

    /** A payload the journal staged, as the compactor fetches it: read from where it was put, with no lookup. */
    @Test
    void aStagedPayloadIsReadFromWhereItWasPutWithoutALookup() {
        FaultyEngine faulty = new FaultyEngine(engine());
        try (KvTimeMachineStore store = Stores.openOrCreate(tmp.resolve("faulty"), faulty, Map.of())) {
            byte[] page = page(5);
            ContentHash h = stage(store, page);
            faulty.failReads();
            assertArrayEquals(page, store.kvContent().payload(h));
            assertThrows(RuntimeException.class, () -> store.kvContent().get(h)); // get looks the record up
        }
    }

    /** Bytes where a staged payload was put that no longer match its hash are never handed out as it. */
    @Test
    void aStagedPayloadWhoseBytesChangedIsNotReturned() throws IOException {
        KvTimeMachineStore store = open();
        ContentHash h = stage(store, page(6));
        Path segment = segmentFiles().get(0);
        byte[] onDisk = Files.readAllBytes(segment);
        onDisk[onDisk.length - 1] ^= 1;
        Files.write(segment, onDisk);
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> store.kvContent().payload(h));
        assertEquals("c:" + h, e.key());
    }

    /** A staged payload whose bytes moved since (gc rewrites live extents elsewhere) is read where its record says. */
    @Test
    void aStagedPayloadThatMovedIsReadWhereItsRecordSays() throws IOException {
        KvTimeMachineStore store = open();
        byte[] page = page(7);
        ContentHash h = stage(store, page);
        for (Path f : segmentFiles()) {
            Files.delete(f);
        }
        try (KvBatch b = store.keyValueStore().batch()) {
            b.put(Keyspace.CONTENT, h.toBytes(), ContentCodec.RAW_HEAD, page);
            b.commit();
        }
        assertArrayEquals(page, store.kvContent().payload(h));
    }

    private static byte[] page(int seed) {
        byte[] page = new byte[4096];
        new Random(seed).nextBytes(page);
        return page;
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(tmp.resolve("state/segments"))) {
            return files.filter(f -> f.toString().endsWith(".seg")).toList();
        }
    }

    private static ContentHash stage(KvTimeMachineStore store, byte[] payload) {
        try (KvBatch batch = store.keyValueStore().batch()) {
            ContentHash h = store.kvContent().stagePayload(batch, payload);
            store.kvContent().flushPayloads();
            batch.commit();
            return h;
        }
    }
}
