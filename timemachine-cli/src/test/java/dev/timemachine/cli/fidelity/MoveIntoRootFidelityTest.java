package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Paths moved into a root from outside it ({@code workload.py move-in}): the capture sees a rename but no bytes.
 * What was made well before the rename is read from disk when the capture delivers it ({@code MovedIn}); a file
 * made and moved in at once, and the archive the real {@code jar} writes in java.io.tmpdir and moves in, are
 * files whose every byte the capture saw written outside the roots ({@code OutsideFiles}), and so is one that
 * {@code mv} copies in from another file system (tmpfs), its mode set through an access ACL (fsetxattr), as is
 * one more file's by name (setxattr). Every step exports
 * exactly, and nothing is approximate; a file moved out is gone.
 */
class MoveIntoRootFidelityTest extends ExactScenarioTest {
    @Override
    String scenario() {
        return "move-in";
    }

    @Override
    String[] arguments() throws Exception {
        return new String[] {Files.createDirectory(tmp.resolve("outside")).toString()};
    }

    @Override
    int steps() {
        return 14;
    }

    @Override
    String lastStep() {
        return "acl-set";
    }

    @Override
    void check(TreeManifest.Step step, Path out) {
        if (step.label().equals("file-moved-out")) {
            assertFalse(Files.exists(out.resolve("leaving.txt")), "moved out of the root at " + step);
        }
    }
}
