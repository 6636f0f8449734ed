package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written through shared mappings ({@code workload.py mapped}): approximate from the mapping on, read by the
 * recorder at msync, munmap and exit, where the stores are in the file. A step where the file is still mapped
 * names it approximate; every other step must export exactly with nothing approximate: after a child unmapped
 * and rewrote a file and exited, after an munmap, after a forked child stored through an inherited mapping and
 * the parent unmapped, after a process exited without unmapping.
 */
class MappedFidelityTest {

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
        state = tmp.resolve("state");
        Path manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "mapped", manifest);
        Workload.assertRecorded(recorded);
        steps = Workload.steps(manifest, 11);
    }

    @TestFactory
    Stream<DynamicTest> exactWhereverTheStoresAreInTheFile() {
        assertEquals("exited-without-munmap", steps.get(steps.size() - 1).label(), "the workload ran to its end");
        return Workload.eachStep(steps, tmp, (step, out) -> {
            String mapped = step.extra().get("approximate");
            if (mapped == null) {
                Workload.assertExportExact(state, step, out, recorded.err());
            } else {
                Workload.assertExportMatchesOrSaysApproximate(state, root, step, out, Set.of(mapped));
            }
        });
    }

    /**
     * export, info --time, cat and history say which files are approximate at the instant asked about, why, and
     * which process made them so; a file exact at that instant is not listed.
     */
    @Test
    void theCommandsSayWhatIsApproximateAtAnInstantWhyAndByWhom() {
        long stored = step("stored").timeNs();
        long unmapped = step("unmapped").timeNs();
        String why = "written through a shared mapping (mmap)";
        Cli info = Cli.run("info", "--state-dir", state.toString(), "--time", "@" + stored);
        assertEquals(0, info.exitCode(), info.printed());
        assertTrue(info.out().contains("approximate at ") && info.out().contains("1 files"), info.printed());
        assertTrue(info.out().lines().anyMatch(l -> l.contains("/pages.bin: " + why) && l.contains(", by pid ")
                && l.contains("python")), "the reason and the process: " + info.printed());
        Cli later = Cli.run("info", "--state-dir", state.toString(), "--time", "@" + unmapped);
        assertTrue(later.out().contains(": none"), "exact once unmapped: " + later.printed());
        Cli cat = quietCat("--state-dir", state.toString(), "--time", "@" + stored, root.resolve("pages.bin").toString());
        assertEquals(0, cat.exitCode(), cat.printed());
        assertTrue(cat.err().contains("is approximate at") && cat.err().contains(why) && cat.err().contains("by pid "),
                cat.printed());
        Cli exact = quietCat("--state-dir", state.toString(), "--time", "@" + unmapped, root.resolve("pages.bin").toString());
        assertFalse(exact.err().contains("approximate"), exact.printed());
        Cli history = Cli.run("history", "--state-dir", state.toString(), root.resolve("pages.bin").toString());
        assertTrue(history.out().contains("APPROXIMATE (" + why), history.printed());
    }

    /** cat, its raw bytes (which go to System.out, not to the writers Cli captures) kept out of the test's log. */
    private static Cli quietCat(String... args) {
        PrintStream saved = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return Cli.run(Stream.concat(Stream.of("cat"), Stream.of(args)).toArray(String[]::new));
        } finally {
            System.setOut(saved);
        }
    }

    private static TreeManifest.Step step(String label) {
        return steps.stream().filter(s -> s.label().equals(label)).findFirst().orElseThrow();
    }
}
