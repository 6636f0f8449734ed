package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Paths moved into a root from outside it ({@code workload.py move-in}): the capture sees a rename but no bytes.
 * What was made well before the rename is read from disk when the capture delivers it ({@code MovedIn}); a file
 * made and moved in at once, and the archive the real {@code jar} writes in java.io.tmpdir and moves in, are
 * files whose every byte the capture saw written outside the roots ({@code OutsideFiles}), and so is one that
 * {@code mv} copies in from another file system (tmpfs), its mode set through an access ACL (fsetxattr), as is
 * one more file's by name (setxattr). Every step exports
 * exactly, and nothing is approximate; a file moved out is gone.
 */
class MoveIntoRootFidelityTest {

    @TempDir
    static Path tmp;
    static Path state;
    static Path manifest;
    static Cli recorded;

    @BeforeAll
    static void recordTheWorkload() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        state = tmp.resolve("state");
        manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "move-in", manifest, outside.toString());
        Workload.assertRecorded(recorded);
    }

    @Test
    void nothingIsApproximate() {
        assertTrue(recorded.err().contains(" 0 approximate files"), recorded.printed());
    }

    @TestFactory
    Stream<DynamicTest> exportAtEveryStepEqualsTheTreeOfThatStep() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 14);
        assertEquals("acl-set", steps.get(steps.size() - 1).label(), "the workload ran to its end");
        return Workload.eachStep(steps, tmp, (step, out) -> {
            Workload.assertExportExact(state, step, out, recorded.err());
            if (step.label().equals("file-moved-out")) {
                assertFalse(Files.exists(out.resolve("leaving.txt")), "moved out of the root at " + step);
            }
        });
    }
}
