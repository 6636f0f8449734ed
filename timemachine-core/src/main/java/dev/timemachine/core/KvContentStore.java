package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.ContentMissingException;
import dev.timemachine.api.ContentStore;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Content addressed by SHA-256 over the {@code c:} keyspace. Content of {@link #CHUNKED_FROM} bytes or more
 * is split into content-defined chunks ({@link Chunker}), each stored under its own hash, and the whole is
 * stored as the list of its chunks.
 */
final class KvContentStore implements ContentStore {
    /**
     * Smaller content is stored whole: chunking it would save little and cost a lookup per chunk. Above the
     * largest chunk, so a chunk never has the hash of chunked content.
     */
    static final int CHUNKED_FROM = Chunker.MAX + 1;

    private final KeyValueStore kv;

    KvContentStore(KeyValueStore kv) {
        this.kv = kv;
    }

    @Override
    public ContentHash put(byte[] bytes) {
        return putAll(List.of(bytes)).get(0);
    }

    @Override
    public List<ContentHash> putAll(List<byte[]> contents) {
        List<ContentHash> hashes = new ArrayList<>(contents.size());
        Set<ContentHash> inBatch = new HashSet<>();
        try (KvBatch batch = kv.batch()) {
            for (byte[] bytes : contents) {
                hashes.add(stage(batch, bytes, inBatch));
            }
            batch.commit();
        }
        return hashes;
    }

    @Override
    public void putHashed(Map<ContentHash, byte[]> contents) {
        Set<ContentHash> inBatch = new HashSet<>();
        try (KvBatch batch = kv.batch()) {
            contents.forEach((hash, bytes) -> stage(batch, hash, bytes, inBatch));
            batch.commit();
        }
    }

    /** Adds {@code bytes} to the batch unless already stored; returns its hash. */
    private ContentHash stage(KvBatch batch, byte[] bytes, Set<ContentHash> inBatch) {
        return stage(batch, ContentHash.of(Hashing.sha256(bytes)), bytes, inBatch);
    }

    private ContentHash stage(KvBatch batch, ContentHash h, byte[] bytes, Set<ContentHash> inBatch) {
        byte[] hash = h.toBytes();
        if (inBatch.contains(h) || kv.get(Keyspace.CONTENT, hash) != null) {
            return h;
        }
        inBatch.add(h);
        if (bytes.length < CHUNKED_FROM) {
            batch.put(Keyspace.CONTENT, hash, ContentCodec.RAW_HEAD, bytes);
            return h;
        }
        List<ContentHash> parts = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        int start = 0;
        for (int end : Chunker.boundaries(bytes)) {
            byte[] chunk = Arrays.copyOfRange(bytes, start, end);
            parts.add(stage(batch, chunk, inBatch));
            lengths.add(end - start);
            start = end;
        }
        batch.put(Keyspace.CONTENT, hash, ContentCodec.chunked(parts, lengths));
        return h;
    }

    @Override
    public byte[] get(ContentHash hash) {
        byte[] key = hash.toBytes();
        ContentCodec.Stored stored = stored(hash);
        byte[] bytes;
        if (stored.bytes() != null) {
            bytes = stored.bytes();
        } else {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ContentHash part : stored.parts()) {
                ContentCodec.Stored chunk = stored(part);
                if (chunk.bytes() == null) {
                    throw new CorruptDataException(Schema.describe(Keyspace.CONTENT, key), "chunk " + part + " is itself chunked");
                }
                out.writeBytes(chunk.bytes());
            }
            bytes = out.toByteArray();
        }
        if (!Arrays.equals(Hashing.sha256(bytes), key)) {
            throw new CorruptDataException(Schema.describe(Keyspace.CONTENT, key), "content does not match its hash");
        }
        return bytes;
    }

    @Override
    public List<ContentHash> parts(ContentHash hash) {
        ContentCodec.Stored stored = stored(hash);
        return stored.parts() == null ? List.of() : stored.parts();
    }

    private ContentCodec.Stored stored(ContentHash hash) {
        byte[] key = hash.toBytes();
        byte[] value = kv.get(Keyspace.CONTENT, key);
        if (value == null) {
            throw new ContentMissingException(hash);
        }
        return ContentCodec.decode(key, value);
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
