package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.ContentMissingException;
import dev.timemachine.api.ContentStore;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.util.Arrays;
import java.util.function.Consumer;

/** Content addressed by SHA-256 over the {@code c:} keyspace. */
final class KvContentStore implements ContentStore {
    private final KeyValueStore kv;

    KvContentStore(KeyValueStore kv) {
        this.kv = kv;
    }

    @Override
    public ContentHash put(byte[] bytes) {
        byte[] hash = Hashing.sha256(bytes);
        if (kv.get(Keyspace.CONTENT, hash) == null) {
            try (KvBatch batch = kv.batch()) {
                batch.put(Keyspace.CONTENT, hash, Values.content(bytes));
                batch.commit();
            }
        }
        return ContentHash.of(hash);
    }

    @Override
    public byte[] get(ContentHash hash) {
        byte[] key = hash.toBytes();
        byte[] value = kv.get(Keyspace.CONTENT, key);
        if (value == null) {
            throw new ContentMissingException(hash);
        }
        byte[] bytes = Values.content(key, value);
        if (!Arrays.equals(Hashing.sha256(bytes), key)) {
            throw new CorruptDataException(Keys.describe(Keyspace.CONTENT, key), "content does not match its hash");
        }
        return bytes;
    }

    @Override
    public boolean contains(ContentHash hash) {
        return kv.get(Keyspace.CONTENT, hash.toBytes()) != null;
    }

    @Override
    public void delete(ContentHash hash) {
        try (KvBatch batch = kv.batch()) {
            batch.delete(Keyspace.CONTENT, hash.toBytes());
            batch.commit();
        }
    }

    @Override
    public void forEachHash(Consumer<ContentHash> visitor) {
        try (KvCursor c = kv.scan(Keyspace.CONTENT, null, null)) {
            while (c.next()) {
                visitor.accept(ContentHash.of(c.key()));
            }
        }
    }
}
