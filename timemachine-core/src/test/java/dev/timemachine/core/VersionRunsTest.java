package dev.timemachine.core;

import static dev.timemachine.core.RecordingBuilder.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.api.CorruptDataException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Consecutive extents of a path stored as runs: fewer entries, the same versions read back at every instant. */
class VersionRunsTest extends EngineTestBase {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }

    @Test
    void runsReadBackAsTheirWritesAtEveryInstant() {
        KvTimeMachineStore store = open();
        byte[] path = b("/w/log");
        byte[] other = b("/w/other");
        List<Version> versions = new ArrayList<>();
        long seq = 0;
        versions.add(new Version(path, 10, ++seq, new VersionRecord(VersionRecord.Kind.KEYFRAME, 0, 0, null, 0644, null, 0)));
        for (int i = 0; i < 2_500; i++) {
            long t = 100 + i * 10L;
            VersionRecord r = i % 7 == 0
                    ? new VersionRecord(VersionRecord.Kind.EXTENT, i * 64L, 600, ContentHash.sha256(new byte[] {(byte) i}), 0644, null, 0)
                    : new VersionRecord(VersionRecord.Kind.EXTENT, i * 64L, 64, null, 0644, null, 0, new byte[64]);
            versions.add(new Version(path, t, ++seq, r));
            if (i == 1_200) {
                versions.add(new Version(path, t + 1, ++seq, new VersionRecord(VersionRecord.Kind.MODE, 0, 0, null, 0600, null, 0)));
            }
            if (i % 500 == 0) {
                versions.add(new Version(other, t, ++seq, new VersionRecord(VersionRecord.Kind.DIRECTORY, 0, 0, null, 0755, null, 0)));
            }
        }
        store.kvVersions(1).append(versions);

        int entries = 0;
        try (KvCursor c = store.keyValueStore().scan(Keyspace.VERSIONS, null, null)) {
            while (c.next()) {
                entries++;
            }
        }
        // runs of at most 1,024: 1,201 extents before the mode change and 1,299 after it are four runs
        assertEquals(1 + 4 + 1 + 5, entries, "2,500 extents, a keyframe, a mode change and 5 others");
        List<Version> ofPath = versions.stream().filter(v -> v.path() == path).toList();
        assertEquals(ofPath, store.versions(1).history(path));
        for (int k = 0; k < ofPath.size(); k += 37) {
            Version at = ofPath.get(k);
            assertEquals(at, store.versions(1).latest(path, at.timeNs()).orElseThrow(), "latest at " + at.timeNs());
            assertEquals(k == 0 ? at : ofPath.get(k), store.versions(1).latest(path, at.timeNs() + 5).orElseThrow());
            List<Version> back = new ArrayList<>();
            store.versions(1).walkBack(path, at.timeNs(), back::add);
            assertEquals(k + 1, back.size(), "walked back from " + at.timeNs());
            assertEquals(at, back.get(0));
        }
        Set<ContentHash> referenced = new HashSet<>();
        try (KvCursor c = store.keyValueStore().scan(Keyspace.VERSIONS, null, null)) {
            while (c.next()) {
                VersionCodec.INSTANCE.references(c.key(), c.value(), referenced::add);
            }
        }
        assertEquals(ofPath.stream().map(v -> v.record().content()).filter(h -> h != null).distinct().count(), referenced.size(),
                "gc sees every hash inside the runs");
    }

    @Test
    void aFloodOfOnePageTakesAFewBytesAWrite() {
        byte[] path = b("/w/zeros");
        ContentHash zeros = ContentHash.sha256(new byte[4096]);
        List<Version> writes = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            writes.add(new Version(path, 1_000_000 + i * 3_100L, 7 + i,
                    new VersionRecord(VersionRecord.Kind.EXTENT, i * 4096L, 4096, zeros, 0644, null, 0)));
        }
        byte[] value = VersionCodec.run(writes);
        assertTrue(value.length < 16 + 1_000 * 6 + ContentHash.LENGTH, value.length + " bytes");
        byte[] key = VersionCodec.key(1, 5, 1_000_000, 7);
        List<Version> back = new ArrayList<>(VersionCodec.versions(path, key, value));
        java.util.Collections.reverse(back);
        assertEquals(writes, back);
    }

    @Test
    void mixedWritesOfARunReadBackAsWritten() {
        byte[] path = b("/w/db");
        List<Version> writes = new ArrayList<>();
        long t = 5_000;
        for (int i = 0; i < 300; i++) {
            t += i % 11 == 0 ? 0 : 1 + i * 17L % 900; // ties in time too
            long offset = i % 5 == 0 ? 4096L * (i % 13) : i * 100L;
            VersionRecord r = i % 3 == 0
                    ? new VersionRecord(VersionRecord.Kind.EXTENT, offset, 100 + i % 4, null, 0600, null, 0x20,
                            new byte[100 + i % 4])
                    : new VersionRecord(VersionRecord.Kind.EXTENT, offset, 4096,
                            ContentHash.sha256(new byte[] {(byte) (i / 4)}), 0600, null, 0x20);
            writes.add(new Version(path, t, 40 + i * 2L, r));
        }
        byte[] key = VersionCodec.key(2, 9, writes.get(0).timeNs(), writes.get(0).sequence());
        List<Version> back = new ArrayList<>(VersionCodec.versions(path, key, VersionCodec.run(writes)));
        java.util.Collections.reverse(back);
        assertEquals(writes, back);
    }

    @Test
    void runsStoredInTheFirstLayoutStillRead() {
        byte[] path = b("/w/old");
        ContentHash h = ContentHash.sha256(new byte[] {1});
        // format 2: mode(4) flags(4) count(4), then per write dt(8) dseq(8) offset(8) length(8), kind and bytes or hash
        ByteBuffer v = ByteBuffer.allocate(1 + 12 + 2 * 33 + 32 + 4 + 3).put((byte) 2).putInt(0644).putInt(0).putInt(2);
        v.putLong(0).putLong(0).putLong(0).putLong(600).put((byte) 1).put(h.toBytes());
        v.putLong(25).putLong(1).putLong(600).putLong(3).put((byte) 0).putInt(3).put(new byte[] {7, 8, 9});
        byte[] key = VersionCodec.key(1, 3, 100, 4);
        List<Version> back = VersionCodec.versions(path, key, v.array());
        assertEquals(List.of(
                new Version(path, 125, 5, new VersionRecord(VersionRecord.Kind.EXTENT, 600, 3, null, 0644, null, 0, new byte[] {7, 8, 9})),
                new Version(path, 100, 4, new VersionRecord(VersionRecord.Kind.EXTENT, 0, 600, h, 0644, null, 0))), back);
        Set<ContentHash> referenced = new HashSet<>();
        VersionCodec.INSTANCE.references(key, v.array(), referenced::add);
        assertEquals(Set.of(h), referenced);
    }

    @Test
    void aDamagedRunIsReportedNotMisread() {
        byte[] path = b("/w/x");
        ContentHash h = ContentHash.sha256(new byte[] {2});
        List<Version> writes = List.of(
                new Version(path, 10, 1, new VersionRecord(VersionRecord.Kind.EXTENT, 0, 8, h, 0644, null, 0)),
                new Version(path, 20, 2, new VersionRecord(VersionRecord.Kind.EXTENT, 8, 8, h, 0644, null, 0)));
        byte[] key = VersionCodec.key(1, 3, 10, 1);
        byte[] good = VersionCodec.run(writes);
        byte[] badBits = good.clone();
        badBits[5] = (byte) 0x42; // the first write's bits (after the format, mode, flags and count): unknown, and "same as before"
        assertThrows(CorruptDataException.class, () -> VersionCodec.INSTANCE.check(key, badBits));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        assertThrows(CorruptDataException.class, () -> VersionCodec.INSTANCE.check(key, truncated));
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertThrows(CorruptDataException.class, () -> VersionCodec.INSTANCE.check(key, longer));
    }
}
