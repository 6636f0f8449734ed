package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file written through a shared mapping by a child process ({@code workload.py mapped}), unmapped and rewritten
 * whole before the child exits: its bytes are known again from the rewrite on, so after the child's exit it is
 * exact, and the exit (which re-reads only what is still mapped) does not make it approximate again.
 */
class MappedFidelityTest {

    @TempDir
    static Path tmp;
    static Path state;
    static List<TreeManifest.Step> steps;
    static Cli recorded;

    @BeforeAll
    static void recordTheWorkload() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path root = Files.createDirectory(tmp.resolve("root"));
        state = tmp.resolve("state");
        Path manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "mapped", manifest);
        Workload.assertRecorded(recorded);
        steps = Workload.steps(manifest, 3);
    }

    @TestFactory
    Stream<DynamicTest> exactOnceItsBytesAreKnownAgain() {
        assertEquals("appended", steps.get(steps.size() - 1).label(), "the workload ran to its end");
        return Workload.eachStep(steps, tmp, (step, out) -> Workload.assertExportExact(state, step, out, recorded.err()));
    }
}
