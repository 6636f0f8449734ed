package dev.timemachine.api;

import java.util.List;
import java.util.function.Consumer;

/**
 * Content-addressed storage: every piece of content is stored once under its SHA-256, however often it is
 * put. Large content may be stored as a list of content-defined chunks, each itself stored once, so versions
 * of a large file share what they have in common; {@link #get} reassembles it. Thread-safe.
 */
public interface ContentStore {

    /**
     * Stores each of {@code contents} as {@link #put} does, in one atomic batch.
     *
     * @return the SHA-256 of each, in the same order
     */
    List<ContentHash> putAll(List<byte[]> contents);

    /**
     * Stores contents whose SHA-256 the caller has just computed, as {@link #putAll} does, without hashing
     * them again. A wrong hash stores content under a name it does not have: {@link #get} refuses it and
     * verification reports it.
     */
    default void putHashed(java.util.Map<ContentHash, byte[]> contents) {
        putAll(new java.util.ArrayList<>(contents.values()));
    }

    /**
     * The hashes of the stored parts (chunks) {@code hash} is assembled from; empty for content stored whole.
     * Whatever keeps {@code hash} must keep these too.
     *
     * @throws ContentMissingException if nothing is stored under {@code hash}
     */
    List<ContentHash> parts(ContentHash hash);

    /**
     * Stores {@code bytes} unless content with the same hash is already stored.
     *
     * @return the SHA-256 of {@code bytes}
     */
    ContentHash put(byte[] bytes);

    /**
     * The content stored under {@code hash}, checked against the hash.
     *
     * @throws ContentMissingException if nothing is stored under {@code hash}
     * @throws CorruptDataException    if the stored value cannot be decoded or does not hash to {@code hash}
     */
    byte[] get(ContentHash hash);

    /** Whether content is stored under {@code hash}. */
    boolean contains(ContentHash hash);

    /** Removes the content stored under {@code hash}, if any. Callers ensure nothing refers to it any more. */
    void delete(ContentHash hash);

    /** Visits every stored hash (whole content and chunks alike) in ascending byte order. */
    void forEachHash(Consumer<ContentHash> visitor);
}
