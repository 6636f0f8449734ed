package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Hard links ({@code workload.py links}): names that are one file at an instant are exported as one file, with
 * as many links; a name replaced by a new file is exported as a file of its own.
 */
class LinksFidelityTest extends ExactScenarioTest {
    @Override
    String scenario() {
        return "links";
    }

    @Override
    int steps() {
        return 3;
    }

    @Override
    String lastStep() {
        return "first-name-replaced";
    }

    @Override
    void check(TreeManifest.Step step, Path out) throws Exception {
        Object b = inode(out.resolve("b.txt"));
        assertEquals(b, inode(out.resolve("d/c.txt")), "b.txt and d/c.txt are one file at " + step);
        if (step.label().equals("first-name-replaced")) {
            assertNotEquals(b, inode(out.resolve("a.txt")), "a.txt is a new file at " + step);
            assertEquals(2, Files.getAttribute(out.resolve("b.txt"), "unix:nlink", LinkOption.NOFOLLOW_LINKS));
        } else {
            assertEquals(b, inode(out.resolve("a.txt")), "all three names are one file at " + step);
            assertEquals(3, Files.getAttribute(out.resolve("b.txt"), "unix:nlink", LinkOption.NOFOLLOW_LINKS));
        }
    }

    private static Object inode(Path p) throws Exception {
        return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }
}
