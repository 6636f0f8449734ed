package dev.timemachine.cli.fidelity;

/**
 * Files written through O_TMPFILE and published with linkat, by /proc/self/fd/N and by AT_EMPTY_PATH
 * ({@code workload.py tmpfile}): the capture follows each unnamed file by its open file, so it appears at its
 * link with the bytes written before, takes the writes after under its name, and nothing is approximate. One
 * never linked never appears; one whose name is unlinked does not come back when written to.
 */
class TmpfileFidelityTest extends ExactScenarioTest {
    @Override
    String scenario() {
        return "tmpfile";
    }

    @Override
    int steps() {
        return 9;
    }

    @Override
    String lastStep() {
        return "config-replaced";
    }
}
