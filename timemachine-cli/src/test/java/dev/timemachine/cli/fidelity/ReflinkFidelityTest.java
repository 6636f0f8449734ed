package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reflinks ({@code workload.py reflink}) on an XFS file system in a loop-mounted image: {@code cp
 * --reflink=always} (ioctl FICLONE) and FICLONERANGE, each source changed right after. Every step exports
 * exactly and nothing is approximate.
 */
class ReflinkFidelityTest {

    @TempDir
    static Path tmp;
    static Path mount;
    static Path state;
    static Path manifest;
    static Cli recorded;

    @BeforeAll
    static void recordTheWorkload() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/mkfs.xfs")),
                "needs mkfs.xfs for a file system with reflinks (apt-get install xfsprogs; CI installs it)");
        Path image = tmp.resolve("xfs.img");
        mount = Files.createDirectory(tmp.resolve("mnt"));
        Workload.run(List.of("truncate", "-s", "512M", image.toString()));
        Workload.run(List.of("mkfs.xfs", "-q", "-m", "reflink=1", image.toString()));
        Workload.run(List.of("mount", "-o", "loop", image.toString(), mount.toString()));
        Path root = Files.createDirectory(mount.resolve("root"));
        state = tmp.resolve("state");
        manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "reflink", manifest);
        Workload.assertRecorded(recorded);
    }

    @AfterAll
    static void unmount() {
        if (mount != null) {
            Workload.run(List.of("umount", mount.toString()));
        }
    }

    @TestFactory
    Stream<DynamicTest> exportAtEveryStepEqualsTheTreeOfThatStep() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 5);
        assertEquals("source-changed-again", steps.get(steps.size() - 1).label(), "the workload ran to its end");
        return Workload.eachStep(steps, tmp, (step, out) -> {
            Workload.assertExportExact(state, step, out, recorded.err());
        });
    }
}
