package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Copies that pass no bytes through user space ({@code workload.py copies}): the real {@code cp}, {@code cat} and
 * {@code install} (coreutils copies with copy_file_range), Python's copy_file_range and sendfile with offsets, a
 * copy within one file, a 3 MiB copy, and {@code cp} from a file outside the roots. Every source changes right
 * after its copy, so each step exports exactly only if the copy took the source's bytes of its own instant; none
 * is reported approximate.
 */
class CopyFidelityTest extends ExactScenarioTest {
    @Override
    String scenario() {
        return "copies";
    }

    @Override
    String[] arguments() throws Exception {
        return new String[] {Files.createDirectory(tmp.resolve("outside")).toString()};
    }

    @Override
    int steps() {
        return 12;
    }

    @Override
    String lastStep() {
        return "copy-within-a-file";
    }

    @Test
    void logNamesTheCopiesAndTheCommandsThatMadeThem() {
        Cli log = Cli.run("log", "--state-dir", state.toString());
        assertEquals(0, log.exitCode(), log.printed());
        assertTrue(log.out().lines().anyMatch(l -> l.contains(" copy ") && l.contains("copy.bin") && l.endsWith("src.bin")),
                log.out());
        // who made each change: the command of the process, from its exec
        assertTrue(log.out().lines().anyMatch(l -> l.contains("(cp src.bin copy.bin) copy ")), log.out());
        assertTrue(log.out().lines().anyMatch(l -> l.contains(" exec ") && l.contains("cp src.bin copy.bin  (parent pid ")),
                log.out());
        Cli history = Cli.run("history", "--state-dir", state.toString(), root.resolve("copy.bin").toString());
        assertEquals(0, history.exitCode(), history.printed());
        assertTrue(history.out().lines().findFirst().orElse("").endsWith("(cp src.bin copy.bin)"), history.out());
    }
}
