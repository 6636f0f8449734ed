package dev.timemachine.cli.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.cli.fidelity.Cli;
import dev.timemachine.core.TimeMachine;
import dev.timemachine.core.StoreTesting;
import dev.timemachine.core.RecordingBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/architecture.md §9: {@code export} never writes outside {@code --out} and never follows a symlink inside it.
 * Recordings are written straight through the api with paths the capture would never produce, and the
 * whole temp dir is listed before and after to show that nothing appeared outside the output.
 */
class ExportSafetyTest {
    private static final long S = 1_000_000_000L;
    private static final long START = 7_000 * S;
    private static final long WALL = Instant.parse("2026-11-25T17:00:00Z").getEpochSecond() * S;

    @TempDir
    Path tmp;

    private Path stateWith(Consumer<RecordingBuilder> versions) {
        Path state = tmp.resolve("state");
        try (TimeMachine st = TimeMachine.create(state, TimeMachine.Options.defaults().withEngine("rocks"))) {
            RecordingBuilder rec = RecordingBuilder.create(st.store(), START, WALL, START + 10 * S, "/w").dir("/w", START, 0755);
            versions.accept(rec);
            rec.flush();
        }
        return state;
    }

    private List<String> everythingUnder(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.map(p -> dir.relativize(p).toString()).filter(p -> !p.startsWith("state")).sorted().toList();
        }
    }

    @Test
    void recordedPathsThatWouldEscapeAreRefusedAndNothingLandsOutside() throws IOException {
        Path state = stateWith(r -> r
                .file("/w/ok.txt", START + S, 0644, "fine\n")
                .file("/w/../escaped-dotdot.txt", START + S, 0644, "escaped\n")
                .file("/w/a/../../escaped-nested.txt", START + S, 0644, "escaped\n")
                .file("/w/./dot.txt", START + S, 0644, "dot\n")
                .file("/w//double.txt", START + S, 0644, "double\n")
                .file("/elsewhere/not-under-the-root.txt", START + S, 0644, "elsewhere\n")
                .file("/w-sibling/prefix-of-the-root.txt", START + S, 0644, "sibling\n")
                .file("relative/../../../escaped-relative.txt", START + S, 0644, "relative\n"));
        Path out = tmp.resolve("out");
        List<String> before = everythingUnder(tmp);

        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", out.toString());

        assertEquals(1, r.exitCode(), "an export that refused paths is incomplete: " + r.printed());
        assertTrue(r.err().contains("recorded paths were not written"), r.printed());
        for (String refused : List.of("escaped-dotdot", "escaped-nested", "dot.txt", "double.txt", "not-under-the-root",
                "prefix-of-the-root", "escaped-relative")) {
            assertTrue(r.err().contains(refused), refused + " is listed as refused: " + r.printed());
        }
        assertEquals("fine\n", Files.readString(out.resolve("ok.txt")));
        assertEquals(List.of("ok.txt"), everythingUnder(out).stream().filter(p -> !p.isEmpty()).toList(),
                "only the path under the root is written");
        List<String> after = everythingUnder(tmp).stream().filter(p -> !p.equals("out") && !p.startsWith("out/")).toList();
        assertEquals(before, after, "nothing appeared outside --out");
    }

    @Test
    void aRecordedSymlinkIsNeverFollowedByPathsBelowIt() throws IOException {
        Path victim = Files.createDirectory(tmp.resolve("victim"));
        Path state = stateWith(r -> r
                .symlink("/w/link", START + S, victim.toString())
                .file("/w/link/planted.txt", START + 2 * S, 0644, "through the link\n")
                .symlink("/w/rel", START + S, "../victim")
                .file("/w/rel/planted2.txt", START + 2 * S, 0644, "through the relative link\n"));
        Path out = tmp.resolve("out");
        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", out.toString());
        assertEquals(1, r.exitCode(), r.printed());
        assertTrue(r.err().contains("planted.txt") && r.err().contains("planted2.txt"), r.printed());
        assertEquals(List.of(""), everythingUnder(victim), "nothing written through a recorded symlink");
        assertEquals(victim, Files.readSymbolicLink(out.resolve("link")), "the symlink itself is exported");
    }

    @Test
    void symlinksAlreadyInOutAreReplacedNotFollowed() throws IOException {
        Path victimDir = Files.createDirectory(tmp.resolve("victim-dir"));
        Path victimFile = Files.writeString(tmp.resolve("victim.txt"), "victim\n");
        Path state = stateWith(r -> r
                .dir("/w/dir", START + S, 0755)
                .file("/w/dir/x.txt", START + S, 0644, "x\n")
                .file("/w/a.txt", START + S, 0644, "recorded a\n"));
        Path out = Files.createDirectory(tmp.resolve("out"));
        Files.createSymbolicLink(out.resolve("dir"), victimDir);
        Files.createSymbolicLink(out.resolve("a.txt"), victimFile);

        Cli refused = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", out.toString());
        assertEquals(2, refused.exitCode(), "a non-empty --out needs --force: " + refused.printed());
        assertEquals(1, refused.err().lines().count(), refused.printed());
        assertTrue(refused.err().contains("--force"), refused.printed());

        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", out.toString(), "--force");
        assertEquals(0, r.exitCode(), r.printed());
        assertEquals("victim\n", Files.readString(victimFile), "the file a symlink in --out pointed at is untouched");
        assertEquals(List.of(""), everythingUnder(victimDir), "nothing written into the directory a symlink pointed at");
        assertTrue(Files.isDirectory(out.resolve("dir"), LinkOption.NOFOLLOW_LINKS), "dir is now a real directory");
        assertFalse(Files.isSymbolicLink(out.resolve("a.txt")));
        assertEquals("recorded a\n", Files.readString(out.resolve("a.txt")));
        assertEquals("x\n", Files.readString(out.resolve("dir/x.txt")));
    }

    /** --force makes --out the tree at T: what a later export of the same recording left there goes, links not followed. */
    @Test
    void forceOverALaterExportLeavesExactlyTheTreeAtT() throws IOException {
        Path victim = Files.createDirectory(tmp.resolve("victim"));
        Files.writeString(victim.resolve("keep.txt"), "not ours\n");
        Path state = stateWith(r -> r
                .file("/w/early.txt", START + S, 0644, "early\n")
                .dir("/w/later-dir", START + 3 * S, 0755)
                .file("/w/later-dir/late.txt", START + 3 * S, 0644, "late\n")
                .file("/w/later.txt", START + 3 * S, 0644, "later\n"));
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", out.toString())
                .exitCode());
        Files.createSymbolicLink(out.resolve("later-dir").resolve("to-victim"), victim);
        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "2s", "--out", out.toString(), "--force");
        assertEquals(0, r.exitCode(), r.printed());
        assertEquals(List.of("", "early.txt"), everythingUnder(out), "exactly the tree at 2s");
        assertEquals("not ours\n", Files.readString(victim.resolve("keep.txt")), "a symlink's target is not touched");
    }

    /** --out inside the state dir, or holding it, even through a symlink and with --force: refused, nothing touched. */
    @Test
    void anExportIntoItsOwnStateDirIsRefusedAndTheStateDirKept() throws IOException {
        Path state = stateWith(r -> r.file("/w/ok.txt", START + S, 0644, "fine\n"));
        Files.createSymbolicLink(tmp.resolve("into-state"), state);
        Map<String, Long> before = sizes(state);
        for (String out : List.of(state.resolve("db").toString(), state.toString(), tmp.toString(),
                tmp.resolve("into-state").resolve("new").toString())) {
            Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", out, "--force");
            assertEquals(2, r.exitCode(), out + ": " + r.printed());
            assertTrue(r.err().contains("state dir") && r.err().lines().count() == 1, r.printed());
        }
        assertEquals(before, sizes(state), "the state dir is as it was");
        assertEquals(0, Cli.run("info", "--state-dir", state.toString()).exitCode());
    }

    @Test
    void aSymlinkedOutIsResolvedOnceAndSaidSo() throws IOException {
        Path state = stateWith(r -> r.file("/w/ok.txt", START + S, 0644, "fine\n"));
        Path real = Files.createDirectory(tmp.resolve("real-out"));
        Path link = Files.createSymbolicLink(tmp.resolve("out-link"), real);
        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", link.toString());
        assertEquals(0, r.exitCode(), r.printed());
        assertTrue(r.out().contains("to " + real.toRealPath() + " (--out " + link + " resolves to it"), r.printed());
        assertEquals("fine\n", Files.readString(real.resolve("ok.txt")));
    }

    /** Each file is written under a name of its own and renamed into place whole: a failure leaves no partial file. */
    @Test
    void aFailedExportLeavesNoPartialFileUnderItsName() throws IOException {
        // 200,000 bytes stored, then 100,000 more whose content the store does not hold: the export fails midway
        byte[] unstored = new byte[100_000];
        Path state = stateWith(r -> r.file("/w/a-small.txt", START + S, 0644, "small\n")
                .file("/w/big.bin", START + S, 0644, "x".repeat(200_000))
                .add("/w/big.bin", START + 2 * S, new VersionRecord(VersionRecord.Kind.EXTENT, 200_000, unstored.length,
                        ContentHash.sha256(unstored), 0100644, null, 0)));
        Path out = tmp.resolve("out");
        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", out.toString());
        assertEquals(1, r.exitCode(), r.printed());
        assertEquals("small\n", Files.readString(out.resolve("a-small.txt")), "written before the failure");
        try (Stream<Path> all = Files.list(out)) {
            assertEquals(List.of("a-small.txt"), all.map(p -> p.getFileName().toString()).toList(),
                    "big.bin is not there cut short, and nothing half-written is left");
        }
    }

    private static Map<String, Long> sizes(Path dir) throws IOException {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("LOG"))
                    .toList()) {
                out.put(dir.relativize(p).toString(), Files.size(p));
            }
        }
        return out;
    }
}
