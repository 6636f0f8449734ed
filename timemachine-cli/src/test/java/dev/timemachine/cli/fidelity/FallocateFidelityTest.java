package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every fallocate(2) mode through the real {@code fallocate} tool ({@code workload.py fallocate}): punch-hole and
 * zero-range (inside, unaligned, past the end, with and without keep-size), collapse-range, insert-range, plain
 * and keep-size allocation. Each is a deterministic edit of the bytes, so every step exports exactly and no file
 * is ever reported approximate.
 */
class FallocateFidelityTest extends ExactScenarioTest {
    @Override
    String scenario() {
        return "fallocate";
    }

    @Override
    int steps() {
        return 12;
    }

    @Override
    String lastStep() {
        return "written-after";
    }

    @Test
    void logNamesTheModes() {
        Cli log = Cli.run("log", "--state-dir", state.toString());
        assertEquals(0, log.exitCode(), log.printed());
        for (String mode : List.of("punch-hole, keep-size", "zero-range", "zero-range, keep-size", "collapse-range",
                "insert-range")) {
            assertTrue(log.out().contains("(" + mode + ")"), "log names the mode " + mode + ":\n" + log.out());
        }
    }
}
