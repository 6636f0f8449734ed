package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite in WAL mode ({@code workload.py sqlite-wal}): while the database is open its {@code -shm} file is
 * written through a shared mapping, so it may be approximate, and nothing else may; once SQLite has
 * checkpointed and unlinked {@code -wal} and {@code -shm} at the close, the export is exact, the database
 * holds every row, and neither file comes back.
 */
class SqliteWalFidelityTest {

    @TempDir
    static Path tmp;
    static Path state;
    static Path root;
    static Path manifest;
    static Cli recorded;

    @BeforeAll
    static void recordTheWorkload() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        root = Files.createDirectory(tmp.resolve("root"));
        state = tmp.resolve("state");
        manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "sqlite-wal", manifest);
        Workload.assertRecorded(recorded);
    }

    @TestFactory
    Stream<DynamicTest> exportAtEveryStepEqualsTheTreeOfThatStep() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 6);
        assertEquals("after-close", steps.get(steps.size() - 1).label(), "the workload ran to its end");
        return Workload.eachStep(steps, tmp, (step, out) -> {
            if (step.label().startsWith("wal-tx-")) {
                Workload.assertExportMatchesOrSaysApproximate(state, root, step, out, Set.of("wal.db-shm"));
            } else {
                // the step's tree has no -shm or -wal: an export where they came back does not match it
                Workload.assertExportMatches(state, step, out, recorded.err());
            }
        });
    }
}
