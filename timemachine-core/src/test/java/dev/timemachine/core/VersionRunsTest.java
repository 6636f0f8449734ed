package dev.timemachine.core;

import static dev.timemachine.core.RecordingBuilder.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.api.spi.StorageEngine;
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
}
