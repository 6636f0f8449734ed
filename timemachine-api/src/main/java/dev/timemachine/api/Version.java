package dev.timemachine.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A version record of one path at one instant.
 *
 * @param path     absolute path bytes
 * @param timeNs   CLOCK_MONOTONIC nanoseconds of the change
 * @param sequence journal sequence of the change; orders records with equal timestamps
 * @param record   what changed
 */
public record Version(byte[] path, long timeNs, long sequence, VersionRecord record) {

    public Version {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(record, "record");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && timeNs == v.timeNs && sequence == v.sequence && Arrays.equals(path, v.path)
                && record.equals(v.record);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timeNs, sequence, record) * 31 + Arrays.hashCode(path);
    }

    @Override
    public String toString() {
        return "Version[" + new String(path, java.nio.charset.StandardCharsets.UTF_8) + " @" + timeNs + "#"
                + sequence + " " + record + "]";
    }
}
