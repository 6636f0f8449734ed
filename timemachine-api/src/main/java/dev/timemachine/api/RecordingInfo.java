package dev.timemachine.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the {@code s:} keyspace says about one recording.
 *
 * @param id           recording id, unique in its state dir, increasing
 * @param startMonoNs  CLOCK_MONOTONIC ns when the recording started
 * @param startWallNs  wall-clock ns since the epoch at the same instant
 * @param endMonoNs    CLOCK_MONOTONIC ns when it ended, or 0 while it runs
 * @param command      the recorded command and its arguments
 * @param roots        the recorded roots (absolute paths)
 * @param capture      name of the event source used
 * @param exitCode     the command's exit code (128+signal when killed), or -1 while unknown
 * @param complete     whether the recording was closed cleanly and fully compacted
 * @param counters     named counters (events, bytes, dropped, versions, ...)
 */
public record RecordingInfo(int id, long startMonoNs, long startWallNs, long endMonoNs, List<String> command,
                            List<String> roots, String capture, int exitCode, boolean complete,
                            Map<String, Long> counters) {

    /** The counter of programs run whose file changes the capture could not see (32-bit ones). */
    public static final String UNSEEN_PROGRAMS = "unseenPrograms";
    /** The counter of FIFOs, sockets and device nodes in the roots at the start or made there: never recorded. */
    public static final String SPECIAL_FILES = "specialFiles";

    public RecordingInfo {
        command = List.copyOf(command);
        roots = List.copyOf(roots);
        counters = Map.copyOf(counters);
    }

    /**
     * What a reader of this recording must be told before trusting it as a whole, or empty: processes ran programs
     * whose file changes the capture could not see, so the recording may lack some.
     */
    public Optional<String> incompleteness() {
        List<String> said = new java.util.ArrayList<>();
        long n = counters.getOrDefault(UNSEEN_PROGRAMS, 0L);
        if (n > 0) {
            said.add(n + (n == 1 ? " process" : " processes")
                    + " ran a 32-bit program, whose file changes the capture does not see: the recording may lack them");
        }
        long f = counters.getOrDefault(SPECIAL_FILES, 0L);
        if (f > 0) {
            said.add(f + (f == 1 ? " FIFO, socket or device node was" : " FIFOs, sockets or device nodes were")
                    + " in the roots or made there, which a recording does not hold: exports leave them out");
        }
        return said.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", said));
    }
}
