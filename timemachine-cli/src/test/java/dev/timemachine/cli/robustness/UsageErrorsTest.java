package dev.timemachine.cli.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.timemachine.cli.fidelity.Cli;
import dev.timemachine.cli.fidelity.Workload;
import dev.timemachine.core.TimeMachine;
import dev.timemachine.core.StoreTesting;
import dev.timemachine.core.RecordingBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/architecture.md §9: user mistakes exit 2 with one line that says what is wrong and what is accepted, and change
 * nothing: bad {@code --time} values, and a state dir that is not one.
 */
class UsageErrorsTest {
    private static final long S = 1_000_000_000L;
    private static final long START = 9_000 * S;

    @TempDir
    Path tmp;

    private static void assertOneLineUsageError(Cli r, String... mentions) {
        assertEquals(2, r.exitCode(), r.printed());
        assertEquals(1, r.err().lines().count(), "one line: " + r.printed());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.printed());
        for (String m : mentions) {
            assertTrue(r.err().contains(m), "mentions '" + m + "': " + r.printed());
        }
    }

    private Path state() {
        Path state = tmp.resolve("state");
        try (TimeMachine st = TimeMachine.create(state, TimeMachine.Options.defaults().withEngine("rocks"))) {
            RecordingBuilder.create(st.store(), START, Instant.parse("2026-11-25T17:00:00Z").getEpochSecond() * S, START + 10 * S, "/w")
                    .dir("/w", START, 0755).file("/w/a.txt", START + S, 0644, "a\n").flush();
        }
        return state;
    }

    @Test
    void badTimeValuesSayWhatIsAccepted() {
        Path state = state();
        List<String> bad = List.of("soon", "", " ", "2m30", "1.5.3s", "10x", "5 s", "s", "@", "@abc", "@12.5", "@1e9",
                "T", "1h-5m", "latest!");
        for (String value : bad) {
            Path out = tmp.resolve("out");
            Cli export = Cli.run("export", "--state-dir", state.toString(), "--time", value, "--out", out.toString());
            assertOneLineUsageError(export, "--time", "expected a duration since the start", "@<monotonic ns>");
            assertFalse(Files.exists(out), "nothing exported for --time '" + value + "'");
            assertOneLineUsageError(Cli.run("cat", "--state-dir", state.toString(), "/w/a.txt", "--time", value),
                    "--time", "expected a duration");
        }
        assertOneLineUsageError(Cli.run("export", "--state-dir", state.toString(), "--time", "99999999999999999999d", "--out",
                tmp.resolve("out").toString()), "--time", "99999999999999999999d", "longer than a recording can be");
        // a value that looks like an instant is told what an instant looks like, or which field does not exist
        for (String value : List.of("2026-13-45T00:00:00Z", "2026-11-25T25:00:00Z", "2026-11-25T17:00:00")) {
            Path out = tmp.resolve("out");
            assertOneLineUsageError(Cli.run("export", "--state-dir", state.toString(), "--time", value, "--out", out.toString()),
                    "--time", value, value.endsWith("Z") ? "not a date and time that exists (Invalid value for "
                            : "2026-11-25T17:03:00.123Z");
            assertFalse(Files.exists(out), "nothing exported for --time '" + value + "'");
        }
        Cli good = Cli.run("export", "--state-dir", state.toString(), "--time", "1500ms", "--out", tmp.resolve("ok").toString());
        assertEquals(0, good.exitCode(), "the same call with a good value works: " + good.printed());
    }

    /** Checked before the capture or the state dir is touched: no root needed, and nothing is created. */
    @Test
    void badRecordFlagsSayWhatIsAccepted() {
        Path state = tmp.resolve("never");
        assertOneLineUsageError(Cli.run("record", "--state-dir", state.toString(), "--compact", "soon", "--", "true"),
                "--compact", "expected now or later");
        assertOneLineUsageError(Cli.run("record", "--state-dir", state.toString(), "--path", tmp.resolve("nope").toString(),
                "--", "true"), "--path", "is not a directory");
        assertOneLineUsageError(Cli.run("record", "--state-dir", state.toString(), "--exclude", "[", "--", "true"),
                "--exclude", "bad glob '['");
        assertFalse(Files.exists(state));
    }

    @Test
    void aStateDirThatIsNotOneIsAUsageErrorForEveryCommand() throws IOException {
        Path missing = tmp.resolve("missing");
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Path file = Files.writeString(tmp.resolve("file"), "not a directory\n");
        Path junk = Files.createDirectory(tmp.resolve("junk"));
        Files.writeString(junk.resolve("CURRENT"), "MANIFEST-000001\n");
        Files.writeString(junk.resolve("notes.txt"), "some other tool's files\n");
        List<String> problems = new ArrayList<>();
        for (Path notAStateDir : List.of(missing, empty, file, junk)) {
            List<String> before = listing();
            for (List<String> cmd : commands(notAStateDir)) {
                if (notAStateDir == missing && cmd.get(0).equals("info")) {
                    continue; // infoOnAMissingStateDirIsAUsageError
                }
                Cli r = Cli.run(cmd.toArray(String[]::new));
                if (r.exitCode() != 2 || r.err().lines().count() != 1 || !r.err().contains(notAStateDir.toString())
                        || !r.err().contains("not a Time Machine state dir")) {
                    problems.add(String.join(" ", cmd) + "\n  -> " + r.printed().replace("\n", "\n     "));
                }
            }
            assertEquals(before, listing(), "nothing created or changed by commands on " + notAStateDir);
        }
        assertEquals("", String.join("\n", problems),
                "each must exit 2 with one line naming the dir and saying it is not a Time Machine state dir");
    }

    @Test
    void infoOnAMissingStateDirIsAUsageError() {
        Path missing = tmp.resolve("missing");
        Cli r = Cli.run("info", "--state-dir", missing.toString());
        assertOneLineUsageError(r, missing.toString(), "not a Time Machine state dir");
        assertFalse(Files.exists(missing));
    }

    private List<List<String>> commands(Path dir) {
        String d = dir.toString();
        String out = tmp.resolve("out").toString();
        List<List<String>> cmds = new ArrayList<>();
        cmds.add(List.of("export", "--state-dir", d, "--time", "latest", "--out", out));
        cmds.add(List.of("cat", "--state-dir", d, "/w/a.txt"));
        cmds.add(List.of("info", "--state-dir", d));
        cmds.add(List.of("log", "--state-dir", d));
        cmds.add(List.of("history", "--state-dir", d, "/w/a.txt"));
        cmds.add(List.of("diff", "--state-dir", d, "--from", "0s", "--to", "latest"));
        cmds.add(List.of("verify", "--state-dir", d));
        cmds.add(List.of("gc", "--state-dir", d, "--recording", "1"));
        return cmds;
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> all = Files.walk(tmp)) {
            return all.filter(p -> !p.startsWith(tmp.resolve("state")))
                    .map(p -> tmp.relativize(p) + (Files.isRegularFile(p) ? " " + p.toFile().length() : "")).sorted().toList();
        }
    }

    /** A command that cannot be run exits 127, as a shell's does, and leaves no recording (no state dir at all). */
    @Test
    void aCommandThatCannotRunLeavesNoRecording() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.writeString(tmp.resolve("not-executable"), "echo no\n");
        for (String program : List.of("/nonexistent", "no-such-program-in-path", root.toString(),
                tmp.resolve("not-executable").toString())) {
            Path state = tmp.resolve("state-" + Math.abs(program.hashCode()));
            Cli r = Cli.run("record", "--state-dir", state.toString(), "--path", root.toString(), "--", program);
            assertEquals(127, r.exitCode(), r.printed());
            assertTrue(r.err().contains("cannot run " + program) && r.err().contains("nothing was recorded"), r.printed());
            assertFalse(Files.exists(state), "no state dir for " + program);
        }
    }

    @Test
    void aStateDirWhosePropertiesAreNotTextSaysSo() throws Exception {
        Path state = state();
        byte[] junk = new byte[200];
        new java.util.Random(5).nextBytes(junk);
        junk[0] = (byte) 0xff;
        Files.write(state.resolve("timemachine.properties"), junk);
        assertOneLineUsageError(Cli.run("info", "--state-dir", state.toString()), "timemachine.properties is damaged: it is not text");
    }

    @Test
    void aDanglingSymlinkStateDirSaysWhereItPoints() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("nowhere"));
        String says = "is a symlink to " + tmp.resolve("nowhere") + ", which does not exist";
        assertOneLineUsageError(Cli.run("info", "--state-dir", link.toString()), says);
        Path root = Files.createDirectory(tmp.resolve("root"));
        assertOneLineUsageError(Cli.run("record", "--state-dir", link.toString(), "--path", root.toString(), "--", "true"),
                says);
        assertFalse(Files.exists(tmp.resolve("nowhere")), "nothing created where it points");
    }

    /** A state dir used through a symlink, or owned by someone else, is used with a word about it. */
    @Test
    void aSymlinkedOrForeignStateDirIsUsedWithAWarning() throws Exception {
        Path state = state();
        Path link = Files.createSymbolicLink(tmp.resolve("link"), state);
        Cli viaLink = Cli.run("info", "--state-dir", link.toString());
        assertEquals(0, viaLink.exitCode(), viaLink.printed());
        assertTrue(viaLink.err().contains("warning: the state dir " + link + " is a symlink: using " + state.toRealPath()),
                viaLink.printed());
        assertFalse(viaLink.out().contains(" 0 B on disk"), "its size is what it points to: " + viaLink.out());
        assumeTrue(Workload.isRoot(), "changing a directory's owner needs root (CI runs as root)");
        Files.setOwner(state, state.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        Cli foreign = Cli.run("info", "--state-dir", state.toString());
        assertTrue(foreign.err().contains("belongs to nobody"), foreign.printed());
    }
}
