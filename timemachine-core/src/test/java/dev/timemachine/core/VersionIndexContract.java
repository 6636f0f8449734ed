package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionIndex;
import dev.timemachine.api.VersionRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** "Latest version of P at or before T", history and path listing. */
public abstract class VersionIndexContract extends EngineTestBase {

    private static VersionRecord extent(long offset, int n) {
        byte[] h = new byte[32];
        h[0] = (byte) n;
        return new VersionRecord(VersionRecord.Kind.EXTENT, offset, n, ContentHash.of(h), 0644, null, 0);
    }

    private static Version v(byte[] path, long t, long seq, int n) {
        return new Version(path, t, seq, extent(t, n));
    }

    @Test
    void findsTheLatestVersionAtBetweenBeforeAndAfter() {
        VersionIndex index = open().versions(1);
        byte[] p = bytes("/w/file");
        index.putAll(List.of(v(p, 100, 1, 1), v(p, 200, 2, 2), v(p, 300, 3, 3)));
        assertEquals(Optional.empty(), index.latest(p, 99));
        assertEquals(1, index.latest(p, 100).orElseThrow().record().length());
        assertEquals(1, index.latest(p, 199).orElseThrow().record().length());
        assertEquals(2, index.latest(p, 200).orElseThrow().record().length());
        assertEquals(3, index.latest(p, 301).orElseThrow().record().length());
        assertEquals(3, index.latest(p, Long.MAX_VALUE).orElseThrow().record().length());
        assertEquals(Optional.empty(), index.latest(bytes("/w/other"), 1_000));
        assertEquals(List.of(100L, 200L, 300L), index.history(p).stream().map(Version::timeNs).toList());
    }

    @Test
    void equalTimestampsResolveByHighestSequence() {
        VersionIndex index = open().versions(1);
        byte[] p = bytes("/w/tie");
        index.putAll(List.of(v(p, 50, 9, 9), v(p, 50, 7, 7), v(p, 50, 8, 8)));
        Version latest = index.latest(p, 50).orElseThrow();
        assertEquals(9, latest.sequence());
        assertEquals(List.of(7L, 8L, 9L), index.history(p).stream().map(Version::sequence).toList());
        List<Long> walked = new ArrayList<>();
        index.walkBack(p, 50, x -> walked.add(x.sequence()) && walked.size() < 2);
        assertEquals(List.of(9L, 8L), walked);
    }

    @Test
    void survivesAwkwardPathsAndTheExtremesOfTime() {
        VersionIndex index = open().versions(1);
        List<Version> all = new ArrayList<>();
        for (byte[] p : AWKWARD_PATHS) {
            all.add(v(p, 0, 1, 1));
            all.add(new Version(p, Long.MAX_VALUE, 2, new VersionRecord(VersionRecord.Kind.SYMLINK, 0, 0, null,
                    0777, AWKWARD_PATHS.get(1), VersionRecord.FLAG_APPROXIMATE)));
        }
        index.putAll(all);
        for (byte[] p : AWKWARD_PATHS) {
            assertEquals(0, index.latest(p, 0).orElseThrow().timeNs());
            Version last = index.latest(p, Long.MAX_VALUE).orElseThrow();
            assertEquals(VersionRecord.Kind.SYMLINK, last.record().kind());
            assertEquals(new String(AWKWARD_PATHS.get(1)), new String(last.record().target()));
            assertTrue(last.record().has(VersionRecord.FLAG_APPROXIMATE));
        }
        Set<String> listed = new HashSet<>();
        index.forEachPath(p -> listed.add(java.util.HexFormat.of().formatHex(p)));
        assertEquals(AWKWARD_PATHS.size(), listed.size());
    }

    /** Thousands of paths sharing prefixes, checked against a model at random instants. */
    @Test
    void thousandsOfPathsSharingPrefixesMatchAModel() {
        TimeMachineStore store = open();
        VersionIndex index = store.versions(1);
        Random rnd = new Random(11);
        List<byte[]> paths = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            String dir = "/w/" + "a".repeat(1 + i % 5) + "/" + (i % 13);
            paths.add(bytes(dir + "/" + (i / 7) + (i % 2 == 0 ? "" : "x")));
        }
        Map<String, TreeMap<Long, Integer>> model = new TreeMap<>();
        List<Version> batch = new ArrayList<>();
        long seq = 0;
        for (int i = 0; i < 12_000; i++) {
            byte[] p = paths.get(rnd.nextInt(paths.size()));
            long t = rnd.nextInt(1_000_000);
            int n = rnd.nextInt(1 << 20);
            batch.add(new Version(p, t, ++seq, extent(0, n)));
            model.computeIfAbsent(new String(p), k -> new TreeMap<>()).merge(t, n, (old, nu) -> nu);
            if (batch.size() == 1_000) {
                index.putAll(batch);
                batch.clear();
            }
        }
        index.putAll(batch);
        store.close();
        index = open().versions(1);
        for (int q = 0; q < 3_000; q++) {
            byte[] p = paths.get(rnd.nextInt(paths.size()));
            long t = rnd.nextInt(1_100_000) - 50_000;
            TreeMap<Long, Integer> m = model.get(new String(p));
            Map.Entry<Long, Integer> expected = m == null ? null : m.floorEntry(t);
            Optional<Version> got = index.latest(p, t);
            if (expected == null) {
                assertEquals(Optional.empty(), got, new String(p) + " @" + t);
            } else {
                assertEquals(expected.getKey(), got.orElseThrow().timeNs(), new String(p) + " @" + t);
                assertEquals((long) expected.getValue(), got.orElseThrow().record().length());
            }
        }
        Set<String> listed = new HashSet<>();
        index.forEachPath(p -> assertTrue(listed.add(new String(p)), "listed twice: " + new String(p)));
        assertEquals(model.keySet(), listed);
    }

    @Test
    void recordingsHaveSeparateIndexes() {
        TimeMachineStore store = open();
        byte[] p = bytes("/shared/path");
        store.versions(1).putAll(List.of(v(p, 10, 1, 1)));
        store.versions(2).putAll(List.of(v(p, 20, 1, 2)));
        assertEquals(1, store.versions(1).latest(p, Long.MAX_VALUE).orElseThrow().record().length());
        assertEquals(Optional.empty(), store.versions(2).latest(p, 15));
        List<byte[]> listed = new ArrayList<>();
        store.versions(3).forEachPath(listed::add);
        assertEquals(List.of(), listed);
        assertEquals(ByteBuffer.wrap(p), ByteBuffer.wrap(store.versions(2).history(p).get(0).path()));
    }
}
