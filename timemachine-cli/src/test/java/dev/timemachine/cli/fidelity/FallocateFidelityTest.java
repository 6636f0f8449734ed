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
 * Every fallocate(2) mode through the real {@code fallocate} tool ({@code workload.py fallocate}): punch-hole and
 * zero-range (inside, unaligned, past the end, with and without keep-size), collapse-range, insert-range, plain
 * and keep-size allocation. Each is a deterministic edit of the bytes, so every step exports exactly and no file
 * is ever reported approximate.
 */
class FallocateFidelityTest {

    @TempDir
    static Path tmp;
    static Path state;
    static Path manifest;
    static Cli recorded;

    @BeforeAll
    static void recordTheWorkload() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path root = Files.createDirectory(tmp.resolve("root"));
        state = tmp.resolve("state");
        manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "fallocate", manifest);
        Workload.assertRecorded(recorded);
    }

    @Test
    void nothingIsApproximate() {
        assertTrue(recorded.err().contains(" 0 approximate files"), recorded.printed());
        Cli log = Cli.run("log", "--state-dir", state.toString());
        assertEquals(0, log.exitCode(), log.printed());
        for (String mode : List.of("punch-hole, keep-size", "zero-range", "zero-range, keep-size", "collapse-range",
                "insert-range")) {
            assertTrue(log.out().contains("(" + mode + ")"), "log names the mode " + mode + ":\n" + log.out());
        }
    }

    @TestFactory
    Stream<DynamicTest> exportAtEveryStepEqualsTheTreeOfThatStep() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 12);
        assertEquals("written-after", steps.get(steps.size() - 1).label(), "the workload ran to its end");
        return Workload.eachStep(steps, tmp, (step, out) -> {
            Workload.assertExportExact(state, step, out, recorded.err());
        });
    }
}
