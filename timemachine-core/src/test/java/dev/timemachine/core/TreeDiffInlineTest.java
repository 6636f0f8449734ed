package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.VersionRecord.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extents whose bytes travel inside the record are compared by those bytes, not by an absent hash. */
class TreeDiffInlineTest {
    @TempDir
    Path tmp;

    @Test
    void sameSizedInlineWritesAreAChange() {
        try (KvTimeMachineStore store = Stores.openOrCreate(tmp.resolve("s"), new MemoryEngine(), Map.of())) {
            int id = store.recordings().create(new RecordingInfo(0, 0, 0, 0, List.of("x"), List.of("/w"), "test", 0,
                    true, Map.of())).id();
            byte[] p = "/w/note".getBytes(StandardCharsets.UTF_8);
            ContentHash empty = store.content().put(new byte[0]);
            store.versions(id).putAll(List.of(
                    new Version(p, 10, 1, new VersionRecord(Kind.KEYFRAME, 0, 0, empty, 0644, null, 0)),
                    new Version(p, 11, 2, new VersionRecord(Kind.EXTENT, 0, 3, null, 0644, null, 0, bytes("v1\n"))),
                    new Version(p, 20, 3, new VersionRecord(Kind.KEYFRAME, 0, 0, empty, 0644, null, 0)),
                    new Version(p, 21, 4, new VersionRecord(Kind.EXTENT, 0, 3, null, 0644, null, 0, bytes("v2\n"))),
                    new Version(p, 30, 5, new VersionRecord(Kind.KEYFRAME, 0, 0, empty, 0644, null, 0)),
                    new Version(p, 31, 6, new VersionRecord(Kind.EXTENT, 0, 3, null, 0644, null, 0, bytes("v2\n")))));
            List<TreeChange> changed = TreeDiff.between(store, id, 15, 25);
            assertEquals(1, changed.size());
            assertEquals("content", changed.get(0).detail());
            assertEquals(List.of(), TreeDiff.between(store, id, 25, 35));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
