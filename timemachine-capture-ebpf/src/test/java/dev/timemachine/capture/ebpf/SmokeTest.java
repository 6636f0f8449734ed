package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.timemachine.api.FsEvent;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void echo() throws Exception {
        Path dir = Capture.tempDir("smoke");
        Capture.Run run = Capture.sh(dir, "touch a; mv a b; touch c; /usr/bin/python3 -c 'import os; os.rename(\"c\", \"d\")'; touch e; /usr/bin/python3 -c 'import ctypes; l=ctypes.CDLL(None); print(l.renameat2(-100, b\"e\", -100, b\"f\", 1))'; touch g; strace -f -o /tmp/st.txt mv g h");
        for (FsEvent e : run.events()) {
            System.out.println(e);
        }
        assertEquals(0, run.exitCode());
    }
}
