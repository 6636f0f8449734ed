package dev.timemachine.api;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The {@code m:} keyspace of one recording: every version record of every path, looked up by path and time.
 *
 * <p>Order: the versions of one path are ordered by (timestamp, sequence). Thread-safe; writes become visible
 * to lookups once {@link #putAll} returns.
 */
public interface VersionIndex {

    /** Stores the given versions in one atomic batch. */
    void putAll(List<Version> versions);

    /**
     * The latest version of {@code path} at or before {@code atNs} (the one with the greatest (timestamp,
     * sequence) among those with timestamp &lt;= {@code atNs}), found with a single seek.
     *
     * @throws CorruptDataException if the record cannot be decoded
     */
    Optional<Version> latest(byte[] path, long atNs);

    /**
     * Visits the versions of {@code path} with timestamp &lt;= {@code atNs}, newest first, until the visitor
     * returns false. Replay walks back this way to the last keyframe.
     */
    void walkBack(byte[] path, long atNs, Predicate<Version> visitor);

    /** Every version of {@code path}, oldest first. */
    List<Version> history(byte[] path);

    /** Visits every path that has at least one version, in no particular order. */
    void forEachPath(Consumer<byte[]> visitor);
}
