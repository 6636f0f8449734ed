package dev.timemachine.api;

import java.util.function.Consumer;

/**
 * Content-addressed storage: every piece of content is stored once under its SHA-256, however often it is
 * put. Thread-safe.
 */
public interface ContentStore {

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

    /** Visits every stored hash in ascending byte order. */
    void forEachHash(Consumer<ContentHash> visitor);
}
