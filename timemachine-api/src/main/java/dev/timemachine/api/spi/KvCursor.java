package dev.timemachine.api.spi;

/**
 * Iterates a key range in ascending unsigned byte order. Not thread-safe. Must be closed; the arrays it
 * returns are the caller's to keep.
 */
public interface KvCursor extends AutoCloseable {

    /** Moves to the next entry; false at the end of the range. */
    boolean next();

    /** The current key. */
    byte[] key();

    /** The current value. */
    byte[] value();

    @Override
    void close();
}
