package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.Keyspace;
import java.util.function.Consumer;

/**
 * What the whole-store work (verification, garbage collection) needs of a keyspace's codec: decode an entry
 * completely, and name the content it refers to. Each keyspace has exactly one ({@link Schema#codec}).
 */
interface KeyspaceCodec {

    /** The keyspace this codec reads. */
    Keyspace keyspace();

    /**
     * Decodes the entry completely, key and value.
     *
     * @throws CorruptDataException naming the key if either cannot be decoded
     */
    void check(byte[] key, byte[] value);

    /**
     * Tells {@code out} every content hash the value refers to, which garbage collection must keep. Decodes only
     * what it needs.
     *
     * @throws CorruptDataException naming the key if the value cannot be decoded
     */
    default void references(byte[] key, byte[] value, Consumer<ContentHash> out) {
    }
}
