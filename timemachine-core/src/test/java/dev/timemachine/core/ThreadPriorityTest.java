package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ThreadPriorityTest {

    /** Only the calling thread is lowered: the compactor must not take the rest of the recorder with it. */
    @Test
    void lowersTheCallingThreadOnly() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "needs Linux /proc");
        int before = nice(Path.of("/proc/thread-self/stat"));
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                boolean lowered = ThreadPriority.lowerCurrentThread();
                seen.set(lowered ? nice(Path.of("/proc/thread-self/stat")) : "not lowered");
            } catch (Exception e) {
                seen.set(e);
            }
        });
        t.start();
        t.join();
        assertEquals(ThreadPriority.NICE_LOWEST, seen.get());
        assertEquals(before, nice(Path.of("/proc/thread-self/stat")));
        assertTrue(before < ThreadPriority.NICE_LOWEST);
    }

    /** Field 19 of /proc/.../stat, counted after the command name in parentheses. */
    private static int nice(Path stat) throws Exception {
        String s = Files.readString(stat);
        String[] fields = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[19 - 3]);
    }
}
