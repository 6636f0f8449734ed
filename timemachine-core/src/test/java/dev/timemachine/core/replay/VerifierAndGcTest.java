package dev.timemachine.core.replay;

import static dev.timemachine.core.replay.RecordingBuilder.FILE;
import static dev.timemachine.core.replay.RecordingBuilder.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.KvTimeMachineStore;
import dev.timemachine.core.StoreVerifier;
import dev.timemachine.core.testkit.EngineTestBase;
import dev.timemachine.core.testkit.MemoryEngine;
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
        List<StoreVerifier.Problem> before = StoreVerifier.verify(store, Progress.silent()).problems();
        assertEquals(1, before.size(), before.toString());
        assertTrue(before.get(0).message().contains("rename source /w/never did not exist"), before.toString());
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
        List<StoreVerifier.Problem> problems = StoreVerifier.verify(store, Progress.silent()).problems();
        List<String> keys = problems.stream().map(StoreVerifier.Problem::key).toList();
        assertTrue(keys.contains("c:" + a), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.key().startsWith("m:") && p.message().contains(bh.toString())), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.message().contains("unknown format version 9")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.message().contains("/w/never")), problems.toString());
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
        GarbageCollector.Result r = GarbageCollector.collect(store, List.of(first.id()));
        assertEquals(List.of(first.id()), r.droppedRecordings());
        assertEquals(1, r.blobsFreed());
        assertFalse(store.content().contains(ContentHash.sha256(b("only first"))));
        assertTrue(store.content().contains(ContentHash.sha256(b("shared"))));
        assertTrue(store.content().contains(cached));
        assertEquals(List.of(second.id()), store.recordings().list().stream().map(i -> i.id()).toList());
        assertTrue(StoreVerifier.verify(store, Progress.silent()).ok());
        assertEquals(List.of(second.id()), GarbageCollector.olderThan(store, 50, 400));
    }
}
