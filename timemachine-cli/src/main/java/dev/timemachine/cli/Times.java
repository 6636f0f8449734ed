package dev.timemachine.cli;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.TimeSpec;
import java.io.PrintWriter;

/** Reading {@code --time}-style flags and showing instants as offsets since the start of a recording. */
final class Times {
    private Times() {
    }

    /** The monotonic instant {@code text} names; a bad value is a usage error naming the flag. */
    static long resolve(String flag, String text, RecordingInfo recording) {
        try {
            return TimeSpec.parse(text).resolve(recording);
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
    }

    /**
     * As {@link #resolve(String, String, RecordingInfo)}, and an instant before the recording started or after it
     * ended gets a warning on {@code err}: what is shown is the tree it started with, or its last state.
     */
    static long resolve(String flag, String text, RecordingInfo recording, PrintWriter err) {
        long t = resolve(flag, text, recording);
        if (t < recording.startMonoNs()) {
            err.printf("timemachine: warning: %s %s is %s before recording %d started: this is the tree it started with%n",
                    flag, text, seconds(recording.startMonoNs() - t), recording.id());
        } else if (t != Long.MAX_VALUE && recording.endMonoNs() != 0 && t > recording.endMonoNs()) {
            err.printf("timemachine: warning: %s %s is %s after recording %d ended (at %s): this is its last state%n",
                    flag, text, seconds(t - recording.endMonoNs()), recording.id(), offset(recording.endMonoNs(), recording));
        }
        return t;
    }

    /** A duration in seconds with milliseconds, such as {@code 2.503s} (truncated). */
    static String seconds(long ns) {
        return String.format("%d.%03ds", ns / 1_000_000_000L, ns / 1_000_000L % 1000);
    }

    /** The instant as an offset since the start, such as {@code +2.503s} (milliseconds, truncated toward the start). */
    static String offset(long timeNs, RecordingInfo recording) {
        if (timeNs == Long.MAX_VALUE) {
            return "latest";
        }
        long d = timeNs - recording.startMonoNs();
        String sign = d < 0 ? "-" : "+";
        long abs = Math.abs(d);
        return sign + seconds(abs);
    }
}
