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
 * A {@code make -j4} build ({@code workload.py make}) whose recipes copy with {@code cp}, {@code cat} and {@code
 * install} (copy_file_range) and publish with {@code mv}, then a rebuild after an edit: the tree is exact at
 * every step, nothing is approximate, and {@code log} names the command behind every change.
 */
class MakeFidelityTest {

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
        recorded = Workload.record(state, root, List.of(), "make", manifest);
        Workload.assertRecorded(recorded);
    }

    @Test
    void logNamesTheCommandBehindEveryChange() {
        Cli log = Cli.run("log", "--state-dir", state.toString());
        assertEquals(0, log.exitCode(), log.printed());
        List<String> changes = log.out().lines().filter(l -> !l.contains(" exec ") && !l.contains(" fork ")).toList();
        assertTrue(changes.size() > 20, log.out());
        for (String line : changes) {
            assertTrue(line.matches("\\S+\\s+pid \\d+ \\(.+\\) .*"), "who made it: " + line);
        }
        assertTrue(changes.stream().anyMatch(l -> l.contains("(cat out/a.txt out/b.txt out/c.txt) copy ")), log.out());
    }

    @TestFactory
    Stream<DynamicTest> exportAtEveryStepEqualsTheTreeOfThatStep() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 3);
        assertEquals("rebuilt", steps.get(steps.size() - 1).label(), "the workload ran to its end");
        return Workload.eachStep(steps, tmp, (step, out) -> {
            Workload.assertExportExact(state, step, out, recorded.err());
        });
    }
}
