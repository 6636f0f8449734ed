package dev.timemachine.cli;

import static dev.timemachine.core.RecordingBuilder.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.Op;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.core.TimeMachine;
import dev.timemachine.core.StoreTesting;
import dev.timemachine.core.RecordingBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export, cat, history, log, diff, verify, gc and info through the command line, on a RocksDB state dir. */
class ReadCommandsTest {
    private static final long S = 1_000_000_000L;
    private static final long START = 1_000 * S;
    private static final long WALL = Instant.parse("2026-11-25T17:00:00Z").getEpochSecond() * S;

    @TempDir
    Path tmp;
    Path state;
    byte[] binary;
    ContentHash binaryHash;

    @BeforeEach
    void record() {
        state = tmp.resolve("state");
        binary = new byte[50_000];
        new Random(7).nextBytes(binary);
        try (TimeMachine st = TimeMachine.create(state, TimeMachine.Options.defaults().withEngine("rocks"))) {
            RecordingBuilder.create(st.store(), START - 100 * S, WALL - 100 * S, START - 90 * S, "/w")
                    .dir("/w", START - 100 * S, 0755).file("/w/first-only", START - 99 * S, 0644, "1").flush();
            RecordingBuilder rec = RecordingBuilder.create(st.store(), START, WALL, START + 10 * S, "/w")
                    .dir("/w", START, 0755)
                    .file("/w/a.txt", START + S, 0644, "hello\nworld\n")
                    .file("/w/a.txt", START + 2 * S, 0644, "hello\nthere\nworld\n")
                    .file("/w/bin", START + S, 0600, binary)
                    .file("/w/old", START + S, 0644, "old").delete("/w/old", START + 3 * S)
                    .symlink("/w/link", START + S, "a.txt")
                    .flush();
            binaryHash = st.store().versions(rec.id()).latest(b("/w/bin"), Long.MAX_VALUE).orElseThrow().record().content();
            st.store().events(rec.id()).append(List.of(
                    new JournalEntry(1, FsEvent.write(START + S, 42, b("/w/a.txt"), 0, b("hello\nworld\n"))),
                    new JournalEntry(2, FsEvent.write(START + S, 43, b("/w/bin"), 0, binary)),
                    new JournalEntry(3, FsEvent.of(START + 3 * S, 42, Op.UNLINK, b("/w/old")))));
            // compacted up to here; one event still only in the journal
            st.store().journal(rec.id()).append(List.of(FsEvent.of(START + 4 * S, 44, Op.UNLINK, b("/w/tmp-pending"))));
        }
    }

    private String s() {
        return state.toString();
    }

    private static void assertOneLineUsageError(CliRunner r, String contains) {
        assertEquals(2, r.exitCode(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(contains), r.err());
    }

    @Test
    void exportWritesTheTreeAtTheGivenTime() throws Exception {
        Path out = tmp.resolve("out");
        CliRunner r = CliRunner.run("export", "--state-dir", s(), "--time", "1500ms", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("exported recording 2 at +1.500s to " + out + ": 3 files, 1 directories, 1 symlinks"), r.out());
        assertEquals("hello\nworld\n", Files.readString(out.resolve("a.txt")));
        assertArrayEquals(binary, Files.readAllBytes(out.resolve("bin")));
        assertEquals("old", Files.readString(out.resolve("old")));
        assertEquals(Path.of("a.txt"), Files.readSymbolicLink(out.resolve("link")));

        Path late = tmp.resolve("late");
        assertEquals(0, CliRunner.run("export", "--state-dir", s(), "--time", "2026-11-25T17:00:05Z", "--out", late.toString()).exitCode());
        assertEquals("hello\nthere\nworld\n", Files.readString(late.resolve("a.txt")));
        assertFalse(Files.exists(late.resolve("old")));

        Path first = tmp.resolve("first");
        assertEquals(0, CliRunner.run("export", "--state-dir", s(), "--recording", "1", "--time", "latest", "--out", first.toString()).exitCode());
        assertEquals("1", Files.readString(first.resolve("first-only")));
    }

    @Test
    void exportMistakesAreOneLineUsageErrors() throws Exception {
        Path out = tmp.resolve("out");
        Files.createDirectory(out);
        Files.writeString(out.resolve("x"), "x");
        assertOneLineUsageError(CliRunner.run("export", "--state-dir", s(), "--time", "2m30s", "--out", out.toString()), "--force");
        assertEquals(0, CliRunner.run("export", "--state-dir", s(), "--time", "2m30s", "--out", out.toString(), "--force").exitCode());
        assertOneLineUsageError(CliRunner.run("export", "--state-dir", s(), "--time", "soon", "--out", tmp.resolve("o2").toString()),
                "--time: bad time value 'soon': expected a duration");
        assertOneLineUsageError(CliRunner.run("export", "--state-dir", s(), "--recording", "9", "--time", "1s", "--out",
                tmp.resolve("o3").toString()), "recordings: 1, 2");
        assertOneLineUsageError(CliRunner.run("export", "--state-dir", tmp.resolve("nothing").toString(), "--time", "1s", "--out",
                tmp.resolve("o4").toString()), "is not a Time Machine state dir");
        assertFalse(Files.exists(tmp.resolve("o2")));
    }

    private static byte[] catBytes(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bytes, true));
            CliRunner r = CliRunner.run(args);
            assertEquals(0, r.exitCode(), r.err());
        } finally {
            System.setOut(saved);
        }
        return bytes.toByteArray();
    }

    @Test
    void catWritesExactBytes() {
        assertArrayEquals(binary, catBytes("cat", "--state-dir", s(), "/w/bin", "--time", "5s"));
        assertEquals("hello\nworld\n", new String(catBytes("cat", "--state-dir", s(), "/w/a.txt", "--time", "@" + (START + S))));
        assertEquals("hello\nthere\nworld\n", new String(catBytes("cat", "--state-dir", s(), "/w/a.txt")));
        CliRunner gone = CliRunner.run("cat", "--state-dir", s(), "/w/old", "--time", "latest");
        assertEquals(1, gone.exitCode());
        assertTrue(gone.err().contains("/w/old did not exist at +10.000s"), gone.err());
    }

    @Test
    void historyListsEveryVersion() {
        CliRunner r = CliRunner.run("history", "--state-dir", s(), "/w/a.txt");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("+1.000s") && lines.get(0).contains("KEYFRAME") && lines.get(0).contains("12 bytes"), lines.get(0));
        assertTrue(lines.get(1).startsWith("+2.000s") && lines.get(1).contains("size 18"), lines.get(1));
        CliRunner json = CliRunner.run("history", "--state-dir", s(), "/w/old", "--json");
        assertTrue(json.out().contains("\"kind\":\"DELETE\"") && json.out().contains("\"exists\":false"), json.out());
        CliRunner never = CliRunner.run("history", "--state-dir", s(), "/w/never");
        assertEquals(1, never.exitCode(), never.err());
        assertTrue(never.err().contains("has no versions"), never.err());
    }

    @Test
    void logMergesCompactedAndPendingEventsAndFilters() {
        CliRunner all = CliRunner.run("log", "--state-dir", s());
        assertEquals(0, all.exitCode(), all.err());
        List<String> lines = all.out().lines().toList();
        assertEquals(4, lines.size(), all.out());
        assertTrue(lines.get(0).startsWith("+1.000s") && lines.get(0).contains("pid 42") && lines.get(0).contains("write")
                && lines.get(0).contains("/w/a.txt  12 bytes at 0"), lines.get(0));
        assertTrue(lines.get(3).startsWith("+4.000s") && lines.get(3).contains("/w/tmp-pending"), lines.get(3));

        assertEquals(2, CliRunner.run("log", "--state-dir", s(), "--op", "unlink").out().lines().count());
        assertEquals(1, CliRunner.run("log", "--state-dir", s(), "--pid", "43").out().lines().count());
        assertEquals(1, CliRunner.run("log", "--state-dir", s(), "--path", "*.txt").out().lines().count());
        assertEquals(4, CliRunner.run("log", "--state-dir", s(), "--path", "/w").out().lines().count());
        assertEquals(2, CliRunner.run("log", "--state-dir", s(), "--from", "2s", "--to", "4s").out().lines().count());
        CliRunner json = CliRunner.run("log", "--state-dir", s(), "--json", "--op", "write,unlink", "--to", "3500ms");
        List<String> j = json.out().lines().toList();
        assertEquals(3, j.size(), json.out());
        assertTrue(j.get(0).startsWith("{\"offset\":\"+1.000s\",\"timeNs\":" + (START + S)), j.get(0));
        assertTrue(j.get(1).contains("\"op\":\"write\"") && j.get(1).contains("\"length\":50000"), j.get(1));
        assertOneLineUsageError(CliRunner.run("log", "--state-dir", s(), "--op", "scribble"), "known: write");
    }

    @Test
    void diffListsChangesAndShowsTextDiffs() {
        CliRunner r = CliRunner.run("diff", "--state-dir", s(), "--from", "1500ms", "--to", "3s");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("M /w/a.txt  (size 12 -> 18)\n"), r.out());
        assertTrue(r.out().contains("D /w/old  (file)\n"), r.out());
        assertTrue(r.out().contains("--- a/w/a.txt\n+++ b/w/a.txt\n@@ -1,2 +1,3 @@\n hello\n+there\n world\n"), r.out());
        assertTrue(r.out().contains("--- a/w/old\n+++ /dev/null\n@@ -1,1 +1,0 @@\n-old\n"), r.out());
        CliRunner names = CliRunner.run("diff", "--state-dir", s(), "--from", "0s", "--to", "1s", "--name-only");
        assertEquals(List.of("A /w/a.txt  (file)", "A /w/bin  (file)", "A /w/link  (symlink)", "A /w/old  (file)"),
                names.out().lines().toList());
    }

    @Test
    void verifyFindsACorruptedContentValueAndReadsNameTheKey() {
        CliRunner ok = CliRunner.run("verify", "--state-dir", s());
        assertEquals(0, ok.exitCode(), ok.out() + ok.err());
        assertTrue(ok.out().contains("no problems"), ok.out());
        try (TimeMachine st = TimeMachine.open(state, TimeMachine.Options.defaults().withFinishInterrupted(false)); KvBatch batch = StoreTesting.keyValueStore(st).batch()) {
            byte[] value = StoreTesting.keyValueStore(st).get(Keyspace.CONTENT, binaryHash.toBytes());
            value = value.clone();
            value[value.length - 1] ^= 1;
            batch.put(Keyspace.CONTENT, binaryHash.toBytes(), value);
            batch.commit();
        }
        String key = "c:" + binaryHash;
        CliRunner bad = CliRunner.run("verify", "--state-dir", s());
        assertEquals(1, bad.exitCode());
        assertTrue(bad.out().lines().anyMatch(l -> l.startsWith(key + ": ")), bad.out());
        assertTrue(bad.err().startsWith("timemachine: "), bad.err());

        CliRunner cat = CliRunner.run("cat", "--state-dir", s(), "/w/bin");
        assertEquals(1, cat.exitCode());
        assertEquals("timemachine: " + key + ": content does not match its hash\n", cat.err());
        CliRunner export = CliRunner.run("export", "--state-dir", s(), "--time", "latest", "--out", tmp.resolve("o").toString());
        assertEquals(1, export.exitCode());
        assertTrue(export.err().contains(key), export.err());
        assertEquals(1, export.err().lines().count(), export.err());
    }

    @Test
    void gcDropsRecordingsAndTheContentOnlyTheyUsed() {
        CliRunner keepAll = CliRunner.run("gc", "--state-dir", s());
        assertEquals(0, keepAll.exitCode(), keepAll.err());
        assertTrue(keepAll.out().startsWith("dropped 0 recordings; freed 0 content blobs"), keepAll.out());
        CliRunner r = CliRunner.run("gc", "--state-dir", s(), "--recording", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("dropped 1 recordings (1); freed 1 content blobs"), r.out());
        assertEquals(0, CliRunner.run("verify", "--state-dir", s()).exitCode());
        assertArrayEquals(binary, catBytes("cat", "--state-dir", s(), "/w/bin"));
        assertOneLineUsageError(CliRunner.run("gc", "--state-dir", s(), "--older-than", "a while"), "--older-than: bad duration");
        Instant started = Instant.ofEpochSecond(WALL / S);
        CliRunner young = CliRunner.runAt(started.plus(Duration.ofHours(23)), "gc", "--state-dir", s(), "--older-than", "1d");
        assertEquals(0, young.exitCode(), young.err());
        assertTrue(young.out().startsWith("dropped 0 recordings;"), young.out());
        CliRunner old = CliRunner.runAt(started.plus(Duration.ofHours(25)), "gc", "--state-dir", s(), "--older-than", "1d");
        assertEquals(0, old.exitCode(), old.err());
        assertTrue(old.out().startsWith("dropped 1 recordings (2);"), old.out());
        assertTrue(old.out().endsWith("0 recordings remain" + System.lineSeparator()), old.out());
    }

    @Test
    void infoDescribesRecordingsAsTextAndJson() {
        CliRunner text = CliRunner.run("info", "--state-dir", s());
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("recording 2: make test"), text.out());
        assertTrue(text.out().contains("started   2026-11-25T17:00:00Z (monotonic " + START + " ns)"), text.out());
        assertTrue(text.out().contains("duration  10.000s"), text.out());
        CliRunner json = CliRunner.run("info", "--state-dir", s(), "--json", "--recording", "2");
        assertEquals(0, json.exitCode(), json.err());
        String o = json.out().strip();
        assertTrue(o.startsWith("{\"stateDir\":") && o.contains("\"engine\":\"rocks\""), o);
        assertTrue(o.contains("\"recordings\":[{\"id\":2,\"command\":[\"make\",\"test\"],\"startWall\":\"2026-11-25T17:00:00Z\""), o);
        assertTrue(o.contains("\"durationNs\":" + 10 * S) && o.contains("\"complete\":true"), o);
        assertEquals(1, json.out().lines().count());
    }

    /** An instant outside the recording is shown with a warning saying what it shows instead. */
    @Test
    void anInstantOutsideTheRecordingIsShownWithAWarning() {
        Path out = tmp.resolve("late");
        CliRunner late = CliRunner.run("export", "--state-dir", s(), "--time", "1m", "--out", out.toString());
        assertEquals(0, late.exitCode(), late.err());
        assertTrue(late.err().contains("warning: --time 1m is 50.000s after recording 2 ended (at +10.000s): this is its last state"),
                late.err());
        assertTrue(Files.exists(out.resolve("a.txt")));
        CliRunner early = CliRunner.run("cat", "--state-dir", s(), "--time", "2026-11-25T16:59:59Z", "/w/a.txt");
        assertTrue(early.err().contains("warning: --time 2026-11-25T16:59:59Z is 1.000s before recording 2 started"),
                early.err());
        CliRunner inside = CliRunner.run("cat", "--state-dir", s(), "--time", "5s", "/w/a.txt");
        assertFalse(inside.err().contains("warning"), inside.err());
    }

    @Test
    void aDateThatDoesNotExistIsSaidSo() {
        assertOneLineUsageError(CliRunner.run("export", "--state-dir", s(), "--time", "2026-13-45T00:00:00Z", "--out",
                tmp.resolve("x").toString()), "not a date and time that exists (Invalid value for MonthOfYear");
    }

    @Test
    void aDiffFromLaterThanToIsAUsageError() {
        assertOneLineUsageError(CliRunner.run("diff", "--state-dir", s(), "--from", "3s", "--to", "1s"),
                "--from 3s is later than --to 1s");
    }

    @Test
    void historyOfAPathNeverRecordedFailsAsCatDoes() {
        CliRunner history = CliRunner.run("history", "--state-dir", s(), "/w/never");
        CliRunner cat = CliRunner.run("cat", "--state-dir", s(), "/w/never");
        assertEquals(1, history.exitCode(), history.err());
        assertEquals(cat.exitCode(), history.exitCode());
    }

    @Test
    void versionOnASubcommandPrintsIt() {
        CliRunner r = CliRunner.run("export", "-V");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("timemachine "), r.out());
    }
}
