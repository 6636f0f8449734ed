package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every fork and exec of a tracked process is reported: its program, its arguments and its parent, who wrote what. */
class ExecCaptureTest {

    @Test
    void anExecNamesTheProgramItsArgumentsAndItsParentAndAForkItsParent() throws Exception {
        Path dir = Capture.tempDir("exec");
        Capture.Run run = Capture.run(dir, java.util.Map.of(), "/bin/sh", "-c", "/bin/true first 'sec ond'; exit 0");
        Capture.assertSuccess(run);
        List<FsEvent> execs = run.of(Op.EXEC);
        assertEquals(2, execs.size(), execs.toString());
        FsEvent sh = execs.get(0);
        FsEvent child = execs.get(1);
        assertEquals("/bin/sh", Capture.str(sh.path()));
        assertEquals(run.pid(), sh.pid(), "the command itself");
        assertEquals("/bin/true", Capture.str(child.path()));
        assertEquals("/bin/true\0first\0sec ond\0", Capture.str(child.path2()), "argv, NUL-separated, as given");
        assertEquals(sh.pid(), child.mode(), "the parent's pid");
        assertTrue(child.timeNs() > sh.timeNs());
        List<FsEvent> forks = run.of(Op.FORK);
        assertEquals(1, forks.size(), "the shell forked once, for /bin/true: " + forks);
        assertEquals(child.pid(), forks.get(0).pid(), "the forked child");
        assertEquals(sh.pid(), forks.get(0).mode(), "forked by the shell");
        assertTrue(forks.get(0).timeNs() < child.timeNs(), "forked before it execs");
    }
}
