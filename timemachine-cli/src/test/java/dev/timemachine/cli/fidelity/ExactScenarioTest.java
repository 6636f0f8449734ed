package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code workload.py} scenario recorded once (root {@code tmp/root}, state dir {@code tmp/state}), every step of
 * which must export exactly with nothing approximate, and that the recording calls nothing approximate.
 * Subclasses name the scenario and what its run must reach, and add their own checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ExactScenarioTest {

    /** Static: JUnit fills it before {@code @BeforeAll}, once for each test class in turn. */
    @TempDir
    static Path tmp;
    Path root;
    Path state;
    Path manifest;
    Cli recorded;

    /** The scenario's name in {@code workload.py}. */
    abstract String scenario();

    /** How many steps it marks at least, and the label of its last one: it ran to its end. */
    abstract int steps();

    abstract String lastStep();

    /** The scenario's arguments after the manifest; may prepare what they name, or assume a tool is there. */
    String[] arguments() throws Exception {
        return new String[0];
    }

    @BeforeAll
    void recordTheWorkload() throws Exception {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        root = Files.createDirectory(tmp.resolve("root"));
        state = tmp.resolve("state");
        manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), scenario(), manifest, arguments());
        Workload.assertRecorded(recorded);
    }

    @Test
    void nothingIsApproximate() {
        assertTrue(recorded.err().contains(" 0 approximate files"), recorded.printed());
    }

    @TestFactory
    Stream<DynamicTest> exportAtEveryStepEqualsTheTreeOfThatStep() throws Exception {
        List<TreeManifest.Step> steps = Workload.steps(manifest, steps());
        assertEquals(lastStep(), steps.get(steps.size() - 1).label(), "the workload ran to its end");
        return Workload.eachStep(steps, tmp, (step, out) -> {
            Workload.assertExportExact(state, step, out, recorded.err());
            check(step, out);
        });
    }

    /** More to check of the export at {@code step}, in {@code out}. */
    void check(TreeManifest.Step step, Path out) throws Exception {
    }
}
