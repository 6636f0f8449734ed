package dev.timemachine.cli;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.TimeSpec;

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

    /** The instant as an offset since the start, such as {@code +2.503s} (milliseconds, truncated toward the start). */
    static String offset(long timeNs, RecordingInfo recording) {
        if (timeNs == Long.MAX_VALUE) {
            return "latest";
        }
        long d = timeNs - recording.startMonoNs();
        String sign = d < 0 ? "-" : "+";
        long abs = Math.abs(d);
        return String.format("%s%d.%03ds", sign, abs / 1_000_000_000L, abs / 1_000_000L % 1000);
    }
}
