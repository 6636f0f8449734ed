package dev.timemachine.cli;

import static dev.timemachine.core.RecordingBuilder.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.core.RecordingBuilder;
import dev.timemachine.core.TimeMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code report} puts in its page, and its bounds, on recordings made through the store (no capture). */
class ReportCommandTest {
    private static final long S = 1_000_000_000L;
    private static final long START = 1_000 * S;
    private static final long WALL = Instant.parse("2026-11-25T17:00:00Z").getEpochSecond() * S;

    @TempDir
    Path tmp;

    private Path recording(int writes, String name, String text) {
        Path state = tmp.resolve("state");
        try (TimeMachine st = TimeMachine.create(state, TimeMachine.Options.defaults().withEngine("rocks"))) {
            RecordingBuilder rec = RecordingBuilder.create(st.store(), START, WALL, START + 10 * S, "/w")
                    .dir("/w", START, 0755).file("/w/" + name, START + S, 0644, text).flush();
            List<JournalEntry> events = new ArrayList<>();
            for (int i = 0; i < writes; i++) {
                events.add(new JournalEntry(i + 1, FsEvent.write(START + S + i * 100_000L, 42, b("/w/" + name), 0, b("x"))));
            }
            st.store().events(rec.id()).append(events);
        }
        return state;
    }

    /** The page's data block. */
    private static String data(Path report) throws Exception {
        String html = Files.readString(report);
        int at = html.indexOf("<script id=\"tm-data\" type=\"application/json\">");
        return html.substring(at, html.indexOf("</script>", at));
    }

    @Test
    void pastTheBoundMarksCountTheEventsOfTimeBuckets() throws Exception {
        int writes = HtmlReport.MARKS + 5_000;
        Path state = recording(writes, "busy.txt", "x");
        Path report = tmp.resolve("r.html");
        CliRunner r = CliRunner.run("report", "--state-dir", state.toString(), "--out", report.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains(writes + " events in ") && r.out().contains("(counted in time buckets)"), r.out());
        String data = data(report);
        assertTrue(data.contains("\"bucketed\":true"), "the page is told, and says so");
        Matcher marks = Pattern.compile("\\[(\\d+),(\\d+),(\\d+),(\\d+)\\]").matcher(data.substring(data.indexOf("\"marks\":")));
        long counted = 0;
        int n = 0;
        while (marks.find()) {
            counted += Long.parseLong(marks.group(4));
            n++;
        }
        assertEquals(writes, counted, "every event is counted in one mark");
        assertTrue(n <= HtmlReport.BUCKETS + 1, n + " marks for one path of one kind");
    }

    @Test
    void upToTheBoundEachEventIsAMark() throws Exception {
        Path state = recording(100, "a.txt", "x");
        Path report = tmp.resolve("r.html");
        assertEquals(0, CliRunner.run("report", "--state-dir", state.toString(), "--out", report.toString()).exitCode());
        String data = data(report);
        assertTrue(data.contains("\"bucketed\":false"));
        Matcher marks = Pattern.compile("\\[(\\d+),(\\d+),(\\d+)\\]").matcher(data.substring(data.indexOf("\"marks\":"), data.indexOf("\"processes\":")));
        int n = 0;
        while (marks.find()) {
            n++;
        }
        assertEquals(100, n);
    }

    /** A name or a text holding "</script>" stays data: the page's script blocks are the page's own. */
    @Test
    void aNameOrTextThatLooksLikeMarkupDoesNotEndTheDataBlock() throws Exception {
        Path state = recording(1, "</script><b>x", "</script><script>alert(1)</script>");
        Path report = tmp.resolve("r.html");
        assertEquals(0, CliRunner.run("report", "--state-dir", state.toString(), "--out", report.toString()).exitCode());
        String html = Files.readString(report);
        assertEquals(3, html.split("</script>", -1).length - 1, "the vendored library, the data and the page's script");
        assertTrue(data(report).contains("<\\/script><b>x"), "escaped inside the JSON");
    }

    @Test
    void writesTheMarkdownSummaryAndRefusesADirectoryAsItsOutput() throws Exception {
        Path state = recording(3, "a.txt", "hello\n");
        Path md = tmp.resolve("summary.md");
        Files.writeString(md, "earlier step\n");
        CliRunner r = CliRunner.run("report", "--state-dir", state.toString(), "--out", tmp.resolve("r.html").toString(),
                "--markdown", md.toString());
        assertEquals(0, r.exitCode(), r.err());
        String summary = Files.readString(md);
        assertTrue(summary.startsWith("earlier step\n### Time Machine: "), "appended: " + summary);
        assertTrue(summary.contains("| `/w/a.txt` | 3 |"), "the busiest path and its three writes: " + summary);

        CliRunner dir = CliRunner.run("report", "--state-dir", state.toString(), "--out", tmp.toString());
        assertEquals(2, dir.exitCode(), dir.err());
        assertEquals(1, dir.err().lines().count(), dir.err());
        assertFalse(dir.err().contains("Exception"), dir.err());
    }
}
