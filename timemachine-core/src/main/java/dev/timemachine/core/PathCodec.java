package dev.timemachine.core;

import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.Keyspace;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The {@code p:} path table ({@link PathTable}): {@code 0x01 sha256(path)} maps to the id and the path itself
 * (to rule out hash collisions), {@code 0x02 id} maps back to the path.
 */
final class PathCodec implements KeyspaceCodec {
    static final PathCodec INSTANCE = new PathCodec();
    private static final byte BY_HASH = 1;
    private static final byte BY_ID = 2;
    private static final byte V1 = 1;

    private PathCodec() {
    }

    @Override
    public Keyspace keyspace() {
        return Keyspace.PATHS;
    }

    /** An entry of the path-to-id direction. */
    record Entry(long id, byte[] path) {
    }

    static byte[] byHashKey(byte[] path) {
        return ByteBuffer.allocate(1 + 32).put(BY_HASH).put(Hashing.sha256(path)).array();
    }

    static byte[] byIdKey(long id) {
        return ByteBuffer.allocate(9).put(BY_ID).putLong(id).array();
    }

    static byte[] entryValue(long id, byte[] path) {
        return ByteBuffer.allocate(9 + path.length).put(V1).putLong(id).put(path).array();
    }

    static byte[] pathValue(byte[] path) {
        return ByteBuffer.allocate(1 + path.length).put(V1).put(path).array();
    }

    static Entry entry(byte[] key, byte[] value) {
        return ValueReader.decode(Keyspace.PATHS, key, value, V1, r -> new Entry(r.b.getLong(), r.rest()));
    }

    static byte[] path(byte[] key, byte[] value) {
        return ValueReader.decode(Keyspace.PATHS, key, value, V1, ValueReader::rest);
    }

    @Override
    public void check(byte[] key, byte[] value) {
        String name = Schema.describe(Keyspace.PATHS, key);
        if (key.length == 33 && key[0] == BY_HASH) {
            if (!Arrays.equals(Hashing.sha256(entry(key, value).path()), 0, 32, key, 1, 33)) {
                throw new CorruptDataException(name, "the path stored does not match the hash in its key");
            }
        } else if (key.length == 9 && key[0] == BY_ID) {
            path(key, value);
        } else {
            throw new CorruptDataException(name, "not a key of the path table");
        }
    }
}
