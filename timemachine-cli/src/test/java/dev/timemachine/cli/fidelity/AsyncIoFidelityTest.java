package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
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
 * Asynchronous I/O ({@code workload.py aio}): the real {@code fio} through libaio ({@code io_submit} names every
 * write's buffer) and through io_uring (each completed write is copied from its buffer), then every kind of name
 * change through io_uring ({@code uring-ops.c}, on liburing), which bypasses the syscalls the capture follows,
 * and one request that fails. Every step exports exactly, and nothing is approximate.
 */
class AsyncIoFidelityTest {

    @TempDir
    static Path tmp;
    static Path state;
    static Path manifest;
    static Cli recorded;

    @BeforeAll
    static void recordTheWorkload() throws IOException, URISyntaxException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/fio")), "needs fio (apt-get install fio; CI installs it)");
        assumeTrue(Files.exists(Path.of("/usr/include/liburing.h")),
                "needs liburing (apt-get install liburing-dev; CI installs it)");
        Path ops = tmp.resolve("uring-ops");
        Path source = Path.of(AsyncIoFidelityTest.class.getResource("/fidelity/uring-ops.c").toURI());
        Workload.run(List.of("gcc", "-O2", "-o", ops.toString(), source.toString(), "-luring"));
        Path root = Files.createDirectory(tmp.resolve("root"));
        state = tmp.resolve("state");
        manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "aio", manifest, ops.toString());
        Workload.assertRecorded(recorded);
    }

    @Test
    void nothingIsApproximate() {
        assertTrue(recorded.err().contains(" 0 approximate files"), recorded.printed());
    }

    @TestFactory
    Stream<DynamicTest> exportAtEveryStepEqualsTheTreeOfThatStep() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 15);
        assertEquals("after", steps.get(steps.size() - 1).label(), "the workload ran to its end");
        return Workload.eachStep(steps, tmp, (step, out) -> Workload.assertExportExact(state, step, out, recorded.err()));
    }
}
