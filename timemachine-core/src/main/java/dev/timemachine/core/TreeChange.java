package dev.timemachine.core;

import dev.timemachine.api.FileState;

/**
 * One path that differs between two instants ({@link TimeMachine#diff}).
 *
 * @param path   the path
 * @param marker how it changed
 * @param before its state at the first instant, or null if it did not exist then
 * @param after  its state at the second instant, or null if it did not exist then
 * @param detail what changed, for people: "size 10 -> 12", "mode 0644 -> 0755", "file -> directory"
 */
public record TreeChange(byte[] path, Marker marker, FileState before, FileState after, String detail) {

    /** How a path changed, with the letters {@code git diff --name-status} uses. */
    public enum Marker {
        /** Added: absent at the first instant. */
        A,
        /** Deleted: absent at the second instant. */
        D,
        /** Modified: content, mode or symlink target changed. */
        M,
        /** Type changed (file, directory, symlink). */
        T
    }
}
