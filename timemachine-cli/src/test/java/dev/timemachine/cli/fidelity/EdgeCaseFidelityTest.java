package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The less common ways a tree changes ({@code workload.py edge}): writes through descriptors opened before
 * their directory or file was renamed, and after the file was unlinked (which must not bring it back);
 * O_TRUNC, writev/pwritev, ftruncate, fchmod, umask; names with spaces and non-ASCII letters;
 * renameat2(RENAME_EXCHANGE) of a file and a directory; symlink chains left dangling by a rename. Every step
 * must export exactly.
 */
class EdgeCaseFidelityTest {

    @TempDir
    static Path tmp;
    static Path state;
    static Path manifest;
    static Cli recorded;

    @BeforeAll
    static void recordTheWorkload() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        assumeTrue(Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).equals(java.nio.charset.StandardCharsets.UTF_8),
                "non-ASCII file names need a UTF-8 locale for this JVM (sun.jnu.encoding)");
        Path root = Files.createDirectory(tmp.resolve("root"));
        state = tmp.resolve("state");
        manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "edge", manifest);
        Workload.assertRecorded(recorded);
    }

    @TestFactory
    Stream<DynamicTest> exportAtEveryStepEqualsTheTreeOfThatStep() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 20);
        assertEquals("symlink-chain-dangling-after-rename", steps.get(steps.size() - 1).label(), "the workload ran to its end");
        return Workload.eachStep(steps, tmp, (step, out) -> {
            Workload.assertExportMatches(state, step, out, recorded.err());
        });
    }
}
