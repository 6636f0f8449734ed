package dev.timemachine.api;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Rebuilds the recorded tree of one recording as it was at an instant: the baseline plus every event with a
 * timestamp at or before it, applied in journal order. Thread-safe.
 */
public interface Replayer {

    /** The state of {@code path} at {@code atNs}, or empty if it did not exist then. */
    Optional<FileState> stateAt(byte[] path, long atNs);

    /** Writes the bytes of the regular file {@code path} as they were at {@code atNs}. */
    void contentAt(byte[] path, long atNs, OutputStream out) throws IOException;

    /** Visits every path that existed at {@code atNs}, parents before children. */
    void forEachAt(long atNs, Consumer<FileState> visitor);
}
