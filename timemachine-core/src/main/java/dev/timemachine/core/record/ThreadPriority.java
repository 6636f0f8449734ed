package dev.timemachine.core.record;

import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;

/**
 * Lowers the CPU priority of one of the recorder's own threads, so that work which only has to be done by
 * the end (compaction) runs on cores the recorded command leaves idle instead of taking them from it. Best
 * effort: where it cannot be done (not Linux, no libc through jnr-ffi) the thread runs at normal priority.
 */
final class ThreadPriority {
    /** The libc call; public only because jnr-ffi requires it. */
    public interface LibC {
        int setpriority(int which, int who, int prio);
    }

    private static final int PRIO_PROCESS = 0;
    /** The lowest: with other work at 0, such a thread gets about 1.5% of a contended core. */
    static final int NICE_LOWEST = 19;

    private ThreadPriority() {
    }

    /** Sets the calling thread's nice value; returns whether it worked. */
    static boolean lowerCurrentThread(int nice) {
        try {
            // "/proc/thread-self" links to "<pid>/task/<tid>": on Linux a thread is a task with its own nice
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            return Holder.LIBC.setpriority(PRIO_PROCESS, Integer.parseInt(tid), nice) == 0;
        } catch (Exception | LinkageError e) {
            return false;
        }
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    }
}
