package dev.timemachine.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lowers the CPU priority of one of the recorder's own threads, so that work which only has to be done by
 * the end (compaction) runs on cores the recorded command leaves idle instead of taking them from it. On Linux
 * a thread is a task with a nice value of its own; {@code renice -p TID} sets it, which costs a process start
 * once per thread and no native binding. Best effort: where it cannot be done (not Linux, no renice) the thread
 * runs at normal priority.
 */
final class ThreadPriority {
    /** The lowest: with other work at 0, such a thread gets about 1.5% of a contended core. */
    static final int NICE_LOWEST = 19;

    private ThreadPriority() {
    }

    /** Gives the calling thread the lowest priority; returns whether it worked. */
    static boolean lowerCurrentThread() {
        try {
            // "/proc/thread-self" links to "<pid>/task/<tid>"
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            Process p = new ProcessBuilder("renice", "-n", String.valueOf(NICE_LOWEST), "-p", tid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
