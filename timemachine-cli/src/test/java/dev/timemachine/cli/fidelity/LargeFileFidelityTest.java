package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file larger than 64 MiB, written in 4 MiB writes, then edited in place, extended and truncated: every
 * step exports byte for byte (docs/architecture.md §3). One such file, a few steps, each export removed once checked.
 */
class LargeFileFidelityTest {

    @TempDir
    Path tmp;

    @Test
    void aFileLargerThan64MiBExportsExactlyAtEveryStep() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path state = tmp.resolve("state");
        Path manifest = tmp.resolve("manifest.txt");
        Cli recorded = Workload.record(state, root, List.of(), "large", manifest);
        Workload.assertRecorded(recorded);
        List<TreeManifest.Step> steps = Workload.steps(manifest, 5);
        for (TreeManifest.Step step : steps) {
            Path out = tmp.resolve("export-" + step.index());
            try {
                Workload.assertExportMatches(state, step, out, recorded.err());
            } finally {
                Workload.deleteTree(out);
            }
        }
        Workload.deleteTree(root);
    }
}
