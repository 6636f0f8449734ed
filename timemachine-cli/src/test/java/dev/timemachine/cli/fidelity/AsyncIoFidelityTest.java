package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Asynchronous I/O ({@code workload.py aio}): the real {@code fio} through libaio ({@code io_submit} names every
 * write's buffer) and through io_uring (each completed write is copied from its buffer), then every kind of name
 * change through io_uring ({@code uring-ops.c}, on liburing), which bypasses the syscalls the capture follows,
 * and one request that fails. Every step exports exactly, and nothing is approximate.
 */
class AsyncIoFidelityTest extends ExactScenarioTest {
    @Override
    String scenario() {
        return "aio";
    }

    /** The io_uring helper, built here on liburing. */
    @Override
    String[] arguments() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/fio")), "needs fio (apt-get install fio; CI installs it)");
        assumeTrue(Files.exists(Path.of("/usr/include/liburing.h")),
                "needs liburing (apt-get install liburing-dev; CI installs it)");
        Path ops = tmp.resolve("uring-ops");
        Path source = Path.of(AsyncIoFidelityTest.class.getResource("/fidelity/uring-ops.c").toURI());
        Workload.run(List.of("gcc", "-O2", "-o", ops.toString(), source.toString(), "-luring"));
        return new String[] {ops.toString()};
    }

    @Override
    int steps() {
        return 15;
    }

    @Override
    String lastStep() {
        return "after";
    }
}
