package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every exec of a tracked process is reported with its program, its arguments and its parent: who wrote what. */
class ExecCaptureTest {

    @Test
    void anExecNamesTheProgramItsArgumentsAndItsParent() throws Exception {
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
    }
}
