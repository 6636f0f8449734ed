package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies that pass no bytes through user space ({@code workload.py copies}): the real {@code cp}, {@code cat} and
 * {@code install} (coreutils copies with copy_file_range), Python's copy_file_range and sendfile with offsets, a
 * copy within one file, a 3 MiB copy, and {@code cp} from a file outside the roots. Every source changes right
 * after its copy, so each step exports exactly only if the copy took the source's bytes of its own instant; none
 * is reported approximate.
 */
class CopyFidelityTest {

    @TempDir
    static Path tmp;
    static Path state;
    static Path manifest;
    static Path root;
    static Cli recorded;

    @BeforeAll
    static void recordTheWorkload() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        root = Files.createDirectory(tmp.resolve("root"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        state = tmp.resolve("state");
        manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "copies", manifest, outside.toString());
        Workload.assertRecorded(recorded);
    }

    @Test
    void logNamesTheCopiesAndTheCommandsThatMadeThem() {
        Cli log = Cli.run("log", "--state-dir", state.toString());
        assertEquals(0, log.exitCode(), log.printed());
        assertTrue(log.out().lines().anyMatch(l -> l.contains(" copy ") && l.contains("copy.bin") && l.endsWith("src.bin")),
                log.out());
        // who made each change: the command of the process, from its exec
        assertTrue(log.out().lines().anyMatch(l -> l.contains("(cp src.bin copy.bin) copy ")), log.out());
        assertTrue(log.out().lines().anyMatch(l -> l.contains(" exec ") && l.contains("cp src.bin copy.bin  (parent pid ")),
                log.out());
        Cli history = Cli.run("history", "--state-dir", state.toString(), root.resolve("copy.bin").toString());
        assertEquals(0, history.exitCode(), history.printed());
        assertTrue(history.out().lines().findFirst().orElse("").endsWith("(cp src.bin copy.bin)"), history.out());
    }

    @Test
    void nothingIsApproximate() {
        assertTrue(recorded.err().contains(" 0 approximate files"), recorded.printed());
    }

    /** Every step exports exactly, and export calls nothing approximate. */
    @TestFactory
    Stream<DynamicTest> exportAtEveryStepEqualsTheTreeOfThatStep() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 12);
        assertEquals("copy-within-a-file", steps.get(steps.size() - 1).label(), "the workload ran to its end");
        return Workload.eachStep(steps, tmp, (step, out) -> Workload.assertExportExact(state, step, out, recorded.err()));
    }
}
