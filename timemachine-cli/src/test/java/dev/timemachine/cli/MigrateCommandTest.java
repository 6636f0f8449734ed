package dev.timemachine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.Op;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.core.TimeMachine;
import dev.timemachine.core.StoreTesting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigrateCommandTest {
    @TempDir
    Path tmp;

    private static final int PATHS = 500;
    private static final int EVENTS = 5_000;
    private static final int BLOBS = 2_000;

    /** Fills a store with thousands of events, blobs and versions over two recordings. */
    private static List<ContentHash> fill(TimeMachineStore store) {
        Random rnd = new Random(5);
        List<ContentHash> blobs = new ArrayList<>();
        for (int i = 0; i < BLOBS; i++) {
            byte[] b = new byte[rnd.nextInt(i % 100 == 0 ? 200_000 : 3_000)];
            rnd.nextBytes(b);
            blobs.add(store.content().put(b));
        }
        for (int rec = 1; rec <= 2; rec++) {
            int id = store.recordings().create(new RecordingInfo(0, 10, 20, 30, List.of("cmd" + rec), List.of("/w"),
                    "ebpf", 0, true, Map.of("events", (long) EVENTS))).id();
            List<FsEvent> events = new ArrayList<>();
            List<Version> versions = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                byte[] path = ("/w/dir" + (i % 17) + "/file:" + (i % PATHS)).getBytes(StandardCharsets.UTF_8);
                // every tenth payload is large enough for the payload log, whose segments are copied too
                byte[] payload = new byte[i % 10 == 0 ? 600 + rnd.nextInt(4_000) : rnd.nextInt(256)];
                rnd.nextBytes(payload);
                events.add(new FsEvent(1_000L + i, 7, 8, Op.WRITE, path, null, i, payload.length, 0, payload, 0));
                versions.add(new Version(path, 1_000L + i, i + 1, new VersionRecord(VersionRecord.Kind.EXTENT, i,
                        payload.length, blobs.get(i % BLOBS), 0644, null, 0)));
            }
            store.journal(id).append(events);
            store.versions(id).putAll(versions);
        }
        store.journal(1).trim(new JournalPosition(1_100, 0));
        return blobs;
    }

    private static void assertSameStore(TimeMachine a, TimeMachine b, List<ContentHash> blobs) {
        assertEquals(a.recordings(), b.recordings());
        for (RecordingInfo r : a.recordings()) {
            List<JournalEntry> ja = new ArrayList<>();
            List<JournalEntry> jb = new ArrayList<>();
            a.store().journal(r.id()).scan(JournalPosition.START, ja::add);
            b.store().journal(r.id()).scan(JournalPosition.START, jb::add);
            assertEquals(ja, jb);
            assertEquals(a.store().journal(r.id()).trimmedTo(), b.store().journal(r.id()).trimmedTo());
            assertEquals(a.store().journal(r.id()).lastSequence(), b.store().journal(r.id()).lastSequence());
            for (int p = 0; p < PATHS; p += 7) {
                byte[] path = ("/w/dir" + (p % 17) + "/file:" + p).getBytes(StandardCharsets.UTF_8);
                assertEquals(a.store().versions(r.id()).history(path), b.store().versions(r.id()).history(path));
            }
        }
        for (ContentHash h : blobs) {
            assertArrayEquals(a.store().content().get(h), b.store().content().get(h));
        }
    }

    @ParameterizedTest
    @CsvSource({"lmdb,rocks", "rocks,lmdb"})
    void copiesAndVerifiesAWholeStore(String fromEngine, String toEngine) throws java.io.IOException {
        Path src = tmp.resolve("src");
        Path dst = tmp.resolve("dst");
        List<ContentHash> blobs;
        try (TimeMachine s = TimeMachine.create(src, TimeMachine.Options.defaults().withEngine(fromEngine))) {
            blobs = fill(s.store());
        }
        CliRunner r = CliRunner.run("migrate", "--from", fromEngine + ":" + src, "--to", toEngine + ":" + dst);
        assertEquals(0, r.exitCode(), r.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([\\d,]+) content blobs,.*; ([\\d,]+) content blobs re-hashed, all match")
                .matcher(r.out());
        assertTrue(m.find(), r.out());
        // large blobs are stored as chunks, each its own entry: every entry is re-hashed
        assertTrue(Long.parseLong(m.group(1).replace(",", "")) > BLOBS, r.out());
        assertTrue(r.out().contains(" journal entries, ") && r.out().contains(" versions, "), "said in words: " + r.out());
        assertEquals(m.group(1).replace(",", ""), m.group(2), r.out());
        try (TimeMachine a = TimeMachine.open(src, TimeMachine.Options.defaults().withFinishInterrupted(false)); TimeMachine b = TimeMachine.open(dst, TimeMachine.Options.defaults().withFinishInterrupted(false))) {
            assertEquals(toEngine, b.engine());
            assertSameStore(a, b, blobs);
        }
        try (var segments = java.nio.file.Files.list(dst.resolve("segments"))) {
            assertTrue(segments.findAny().isPresent(), "the payload log came along");
        }
    }

    @Test
    void refusesATargetThatAlreadyHoldsData() {
        Path src = tmp.resolve("src");
        try (TimeMachine s = TimeMachine.create(src, TimeMachine.Options.defaults().withEngine("rocks"))) {
            s.store().content().put(new byte[] {1});
        }
        CliRunner r = CliRunner.run("migrate", "--from", "rocks:" + src, "--to", "lmdb:" + src);
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("already holds data"), r.err());
        try (TimeMachine s = TimeMachine.open(src, TimeMachine.Options.defaults().withFinishInterrupted(false))) {
            assertEquals("rocks", s.engine());
        }
    }

    @Test
    void refusesASourceOfAnotherEngine() {
        Path src = tmp.resolve("src");
        TimeMachine.create(src, TimeMachine.Options.defaults().withEngine("rocks")).close();
        CliRunner r = CliRunner.run("migrate", "--from", "lmdb:" + src, "--to", "rocks:" + tmp.resolve("dst"));
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("uses engine 'rocks', not 'lmdb'"), r.err());
    }
}
