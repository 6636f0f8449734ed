package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths moved into a root from outside it ({@code workload.py move-in}): the capture sees a rename but no
 * bytes, so the recorder reads what came in from disk when the capture delivers the rename. What was made
 * before it moved in, and left alone after, is exact at every step; a file made and moved in at once may be
 * approximate as long as export says so (docs/architecture.md §3). What is never allowed is silence: at every
 * step each path must be there, with its type, and either exact or listed as approximate by export.
 */
class MoveIntoRootFidelityTest {

    @TempDir
    static Path tmp;
    static Path state;
    static Path root;
    static List<TreeManifest.Step> steps;
    static Cli recorded;

    @BeforeAll
    static void recordTheWorkload() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        root = Files.createDirectory(tmp.resolve("root"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        state = tmp.resolve("state");
        Path manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "move-in", manifest, outside.toString());
        Workload.assertRecorded(recorded);
        steps = Workload.steps(manifest, 10);
    }

    private static TreeManifest.Step step(String label) {
        return steps.stream().filter(s -> s.label().equals(label)).findFirst().orElseThrow();
    }

    /** Exports at the step; returns the exported tree with the entries export listed as approximate blanked to their type. */
    private static Map<String, String> exportTolerant(TreeManifest.Step step, Map<String, String> expected) throws IOException {
        Path out = tmp.resolve("export-" + step.index());
        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "@" + step.timeNs(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.printed());
        SortedMap<String, String> got = TreeManifest.of(out);
        Workload.deleteTree(out);
        String prefix = "  " + root + "/";
        List<String> approximate = r.out().lines().filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length(), l.indexOf(": ", prefix.length()))).toList();
        for (String a : approximate) {
            if (got.containsKey(a) && expected.containsKey(a)) {
                got.put(a, expected.get(a).substring(0, 1) + " (approximate)");
                expected.put(a, expected.get(a).substring(0, 1) + " (approximate)");
            }
        }
        return got;
    }

    @Test
    void aFileMovedInIsThereAtEveryStepExactOrReportedApproximate() throws IOException {
        for (String label : List.of("file-moved-in", "appended-after-move-in")) {
            TreeManifest.Step step = step(label);
            Map<String, String> expected = new java.util.TreeMap<>(step.entries());
            Map<String, String> got = exportTolerant(step, expected);
            assertTrue(got.containsKey("incoming.txt"), "present at " + step + ": " + got);
            assertEquals(expected.get("incoming.txt"), got.get("incoming.txt"), "exact or reported approximate at " + step);
        }
    }

    @Test
    void whatWasMadeBeforeItMovedInIsExactAtEveryStep() throws IOException {
        for (String label : List.of("file-moved-in", "appended-after-move-in", "dir-moved-in",
                "appended-in-moved-in-dir")) {
            TreeManifest.Step step = step(label);
            Path out = tmp.resolve("exact-" + step.index());
            try {
                Workload.assertExportMatches(state, step, out, recorded.err());
                Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "@" + step.timeNs(), "--out",
                        out.toString(), "--force");
                assertFalse(r.out().contains("approximate"), "nothing approximate at " + step + ": " + r.printed());
            } finally {
                Workload.deleteTree(out);
            }
        }
        // later, only fresh.txt may be approximate: the moved-in directory, renamed inside, is still exact
        TreeManifest.Step renamed = step("dir-renamed-inside");
        Map<String, String> expected = new java.util.TreeMap<>(renamed.entries());
        Map<String, String> got = exportTolerant(renamed, expected);
        expected.remove("fresh.txt");
        got.remove("fresh.txt");
        assertEquals(expected, got, "exact at " + renamed);
        Path out = tmp.resolve("exact-" + renamed.index());
        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "@" + renamed.timeNs(), "--out",
                out.toString());
        Workload.deleteTree(out);
        String prefix = "  " + root + "/";
        assertEquals(List.of(), r.out().lines().filter(l -> l.startsWith(prefix) && !l.startsWith(prefix + "fresh.txt:"))
                .toList(), "only fresh.txt may be approximate at " + renamed);
    }

    @Test
    void aFileMadeAndMovedInAtOnceIsThereExactOrReportedApproximate() throws IOException {
        for (String label : List.of("fresh-moved-in", "fresh-edited")) {
            TreeManifest.Step step = step(label);
            Map<String, String> expected = new java.util.TreeMap<>(step.entries());
            Map<String, String> got = exportTolerant(step, expected);
            assertEquals(expected.get("fresh.txt"), got.get("fresh.txt"), "exact or reported approximate at " + step);
        }
    }

    @Test
    void aFileMovedOutIsGone() throws IOException {
        TreeManifest.Step step = step("file-moved-out");
        Map<String, String> got = exportTolerant(step, new java.util.TreeMap<>(step.entries()));
        assertFalse(got.containsKey("leaving.txt"), "moved out of the root at " + step + ": " + got);
        assertTrue(exportTolerant(step("dir-renamed-inside"), new java.util.TreeMap<>()).containsKey("leaving.txt"),
                "and there the step before");
    }

    @Test
    void aDirectoryMovedInIsThereAtEveryStepExactOrReportedApproximate() throws IOException {
        for (String label : List.of("dir-moved-in", "appended-in-moved-in-dir", "dir-renamed-inside", "file-moved-out")) {
            TreeManifest.Step step = step(label);
            Map<String, String> expected = new java.util.TreeMap<>(step.entries());
            Map<String, String> got = exportTolerant(step, expected);
            assertEquals(keys(expected), keys(got), "every path present at " + step);
            assertEquals(expected, got, "exact or reported approximate at " + step);
        }
    }

    private static String keys(Map<String, String> m) {
        return m.keySet().stream().collect(Collectors.joining("\n"));
    }
}
