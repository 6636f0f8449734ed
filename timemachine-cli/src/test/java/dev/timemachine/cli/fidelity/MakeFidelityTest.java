package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@code make -j4} build ({@code workload.py make}) whose recipes copy with {@code cp}, {@code cat} and {@code
 * install} (copy_file_range) and publish with {@code mv}, then a rebuild after an edit: the tree is exact at
 * every step, nothing is approximate, and {@code log} names the command behind every change.
 */
class MakeFidelityTest extends ExactScenarioTest {
    @Override
    String scenario() {
        return "make";
    }

    @Override
    int steps() {
        return 3;
    }

    @Override
    String lastStep() {
        return "rebuilt";
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
}
