package dev.timemachine.core;

import static dev.timemachine.core.RecordingBuilder.FILE;
import static dev.timemachine.core.RecordingBuilder.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.api.spi.StorageEngine;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifierAndGcTest extends EngineTestBase {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }

    @Test
    void verifierReportsEveryProblemByKeyAndGoesOn() {
        KvTimeMachineStore store = open();
        RecordingBuilder rec = RecordingBuilder.create(store, 0, 0, 100, "/w").dir("/w", 1, 0755)
                .file("/w/a", 1, 0644, "aaaa").file("/w/b", 1, 0644, "bbbb")
                .rename("/w/never", "/w/c", 2, FILE | 0644).flush();
        List<VerifyReport.Problem> before = StoreVerifier.verify(store, ProgressListener.SILENT).problems();
        assertEquals(1, before.size(), before.toString());
        assertEquals(VerifyReport.Kind.MISSING_SOURCE, before.get(0).kind(), before.toString());
        assertTrue(before.get(0).detail().contains("rename source /w/never did not exist"), before.toString());
        ContentHash a = store.versions(rec.id()).latest(b("/w/a"), 5).orElseThrow().record().content();
        ContentHash bh = store.versions(rec.id()).latest(b("/w/b"), 5).orElseThrow().record().content();
        byte[] versionKey;
        try (KvCursor c = store.keyValueStore().scan(Keyspace.VERSIONS, null, null)) {
            c.next();
            versionKey = c.key();
        }
        try (KvBatch batch = store.keyValueStore().batch()) {
            batch.put(Keyspace.CONTENT, a.toBytes(), new byte[] {1, 0, 'x'});
            batch.delete(Keyspace.CONTENT, bh.toBytes());
            batch.put(Keyspace.VERSIONS, versionKey, new byte[] {9});
            batch.commit();
        }
        List<VerifyReport.Problem> problems = StoreVerifier.verify(store, ProgressListener.SILENT).problems();
        assertTrue(problems.contains(new VerifyReport.Problem("c:" + a, VerifyReport.Kind.HASH_MISMATCH,
                "content does not match its hash")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.key().startsWith("m:") && p.kind() == VerifyReport.Kind.MISSING_CONTENT
                && p.detail().contains(bh.toString())), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.kind() == VerifyReport.Kind.UNDECODABLE
                && p.detail().contains("unknown format version 9")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.kind() == VerifyReport.Kind.MISSING_SOURCE
                && p.detail().contains("/w/never")), problems.toString());
    }

    @Test
    void gcKeepsWhatRemainingRecordingsAndTheBaselineCacheReferTo() {
        KvTimeMachineStore store = open();
        RecordingBuilder first = RecordingBuilder.create(store, 0, 0, 100, "/w").file("/w/shared", 1, 0644, "shared")
                .file("/w/only-first", 1, 0644, "only first").file("/w/cached", 1, 0644, "cached").flush();
        RecordingBuilder second = RecordingBuilder.create(store, 200, 200, 300, "/w").file("/w/shared", 201, 0644, "shared").flush();
        ContentHash cached = ContentHash.sha256(b("cached"));
        try (KvBatch batch = store.keyValueStore().batch()) {
            // a baseline-cache entry as the recorder writes it: prefix 4, (dev, ino) → version, size, mtime, hash
            batch.put(Keyspace.META, ByteBuffer.allocate(17).put((byte) 4).putLong(1).putLong(2).array(),
                    ByteBuffer.allocate(49).put((byte) 1).putLong(6).putLong(123).put(cached.toBytes()).array());
            batch.commit();
        }
        GcResult r = GarbageCollector.collect(store, List.of(first.id()), ProgressListener.SILENT);
        assertEquals(List.of(first.id()), r.droppedRecordings());
        assertEquals(1, r.blobsFreed());
        assertFalse(store.content().contains(ContentHash.sha256(b("only first"))));
        assertTrue(store.content().contains(ContentHash.sha256(b("shared"))));
        assertTrue(store.content().contains(cached));
        assertEquals(List.of(second.id()), store.recordings().list().stream().map(i -> i.id()).toList());
        assertTrue(StoreVerifier.verify(store, ProgressListener.SILENT).ok());
    }
}
