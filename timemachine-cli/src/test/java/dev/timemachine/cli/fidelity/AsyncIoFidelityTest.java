package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
 * Asynchronous writes ({@code workload.py aio}, through the real {@code fio}): libaio's {@code io_submit} names
 * every write's buffer, so its file is exact at every step; io_uring bypasses the syscalls, so its file is
 * re-read, and reported approximate, but never silently wrong; nothing else is approximate.
 */
class AsyncIoFidelityTest {

    @TempDir
    static Path tmp;
    static Path state;
    static Path root;
    static Path manifest;
    static Cli recorded;

    @BeforeAll
    static void recordTheWorkload() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/fio")), "needs fio (apt-get install fio; CI installs it)");
        root = Files.createDirectory(tmp.resolve("root"));
        state = tmp.resolve("state");
        manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "aio", manifest);
        Workload.assertRecorded(recorded);
        assertTrue(recorded.err().contains(" 1 approximate files"), "io_uring's file, and no other: " + recorded.printed());
    }

    @TestFactory
    Stream<DynamicTest> exportAtEveryStepEqualsTheTreeOfThatStep() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 4);
        assertEquals("after", steps.get(steps.size() - 1).label(), "the workload ran to its end");
        Stream<DynamicTest> tests = Workload.eachStep(steps, tmp, (step, out) -> {
            Workload.assertExportMatchesOrSaysApproximate(state, root, step, out, Set.of("uring.bin"));
        });
        TreeManifest.Step last = steps.get(steps.size() - 1);
        DynamicTest reason = DynamicTest.dynamicTest("the reason names io_uring", () -> {
            Path out = tmp.resolve("export-reason");
            Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "@" + last.timeNs(), "--out", out.toString());
            Workload.deleteTree(out);
            assertTrue(r.out().lines().anyMatch(l -> l.contains("uring.bin: written through io_uring")), r.printed());
        });
        return Stream.concat(tests, Stream.of(reason));
    }
}
