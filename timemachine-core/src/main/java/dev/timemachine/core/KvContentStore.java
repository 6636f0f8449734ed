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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Content addressed by SHA-256 over the {@code c:} keyspace. Content put through the {@link ContentStore}
 * methods (baselines, keyframes) is stored in the engine: of {@link #CHUNKED_FROM} bytes or more it is split into
 * content-defined chunks ({@link Chunker}), each stored under its own hash, and the whole is stored as the list
 * of its chunks. Payloads the journal stages ({@link #stagePayload}) go to the payload log ({@link Segments})
 * instead, and the engine keeps only where they are.
 */
final class KvContentStore implements ContentStore {
    /**
     * Hashes of payloads this store knows to be stored, so that a payload written again and again (a database's
     * pages, a file of zeros) costs no lookup, with where in the payload log it put them ({@link #payload}):
     * bounded, the oldest forgotten first.
     */
    private static final int RECENT = 1 << 18;
    /** In {@link #recent}: stored, but not by this store lately, so where is not known without a lookup. */
    private static final ContentCodec.Extent UNPLACED = new ContentCodec.Extent(-1, -1, -1);
    /**
     * Smaller content is stored whole: chunking it would save little and cost a lookup per chunk. Above the
     * largest chunk, so a chunk never has the hash of chunked content.
     */
    static final int CHUNKED_FROM = Chunker.MAX + 1;
    /** Content smaller than this is never stored as a delta: a patch's headers alone are about 100 bytes. */
    static final int DELTA_MIN = 1024;
    /** A delta is stored if its patch is at most this fraction of the content. */
    static final double DELTA_RATIO = 0.5;
    /** The most patches applied to rebuild content: a longer chain stores the bytes again. */
    static final int DELTA_CHAIN = 8;
    /** Patches stored between commits while packing. */
    private static final int PACK_BATCH = 256;

    private final KeyValueStore kv;
    private final Segments segments;
    private final LastSeen lastSeen = new LastSeen();
    private final java.util.LinkedHashMap<ContentHash, ContentCodec.Extent> recent = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ContentHash, ContentCodec.Extent> eldest) {
            return size() > RECENT;
        }
    };

    KvContentStore(KeyValueStore kv, Segments segments) {
        this.kv = kv;
        this.segments = segments;
    }

    /**
     * Adds a journaled payload to {@code batch} unless content with its hash is stored already: its bytes are
     * appended to the payload log, where they must be ({@link #flushPayloads}) before the batch commits, and the
     * batch gets the content record that points to them.
     *
     * @return the payload's hash
     */
    synchronized ContentHash stagePayload(KvBatch batch, byte[] payload) {
        ContentHash h = lastSeen.hashOf(payload);
        if (h == null) {
            h = ContentHash.of(Hashing.sha256(payload));
            lastSeen.remember(payload, h);
        }
        if (recent.get(h) != null) {
            return h;
        }
        ContentCodec.Extent at = UNPLACED;
        if (kv.get(Keyspace.CONTENT, h.toBytes()) == null) {
            Segments.Location l = segments.append(payload);
            batch.put(Keyspace.CONTENT, h.toBytes(), ContentCodec.segment(l, payload.length));
            at = new ContentCodec.Extent(l.segment(), l.offset(), payload.length);
        }
        recent.put(h, at);
        return h;
    }

    /**
     * A journaled payload's bytes, as {@link #get} gives them; read straight from where this store put them
     * when it staged them lately, without looking their record up (the compactor fetches the payloads of
     * files it holds, a database's pages: the lookup was a third of each fetch). Where it put them is only a
     * hint, checked by the bytes' hash: gc may have moved them since.
     */
    byte[] payload(ContentHash hash) {
        ContentCodec.Extent at;
        synchronized (this) {
            at = recent.get(hash);
        }
        if (at != null && at != UNPLACED) {
            byte[] key = hash.toBytes();
            try {
                byte[] bytes = read(key, at);
                if (Arrays.equals(Hashing.sha256(bytes), key)) {
                    return bytes;
                }
            } catch (CorruptDataException e) {
                // the segment is gone or shorter: the record says where the bytes are now
            }
        }
        return get(hash);
    }

    /** Writes the payloads staged so far to the payload log. */
    void flushPayloads() {
        segments.flush();
    }

    /** Makes the payload log durable against power loss. */
    void syncPayloads() {
        segments.sync();
    }

    /** Forgets which payloads are stored: gc may have deleted some. */
    synchronized void forgetRecent() {
        recent.clear();
    }

    /**
     * The last payloads hashed, by CRC32C, with their SHA-256: a payload written again and again (a file of
     * zeros, the same database page) is recognised by a CRC32C, which the CPU computes several times faster than
     * a SHA-256, and a comparison of its bytes, and is not hashed again. Direct-mapped and bounded
     * ({@link #SLOTS} payloads of at most {@link #MAX_LENGTH} bytes). Not thread-safe: used under the store's lock.
     */
    private static final class LastSeen {
        private static final int SLOTS = 1 << 12;
        private static final int MAX_LENGTH = 64 << 10;
        private final byte[][] payloads = new byte[SLOTS][];
        private final ContentHash[] hashes = new ContentHash[SLOTS];
        private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        private int slot;

        /** The SHA-256 of {@code payload} if it was seen lately; remembers which slot it belongs in either way. */
        ContentHash hashOf(byte[] payload) {
            if (payload.length > MAX_LENGTH) {
                slot = -1;
                return null;
            }
            crc.reset();
            crc.update(payload);
            slot = (int) crc.getValue() & (SLOTS - 1);
            byte[] seen = payloads[slot];
            return seen != null && Arrays.equals(seen, payload) ? hashes[slot] : null;
        }

        /** Remembers the hash of the payload {@link #hashOf} was last asked about. */
        void remember(byte[] payload, ContentHash hash) {
            if (slot >= 0) {
                payloads[slot] = payload;
                hashes[slot] = hash;
            }
        }
    }

    Segments segments() {
        return segments;
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

    /**
     * Stores content split into chunks already, as {@link #putHashed} would store the same bytes: the chunks it
     * brings (those already stored are not written again), then its chunk list, unless content with its hash is
     * stored already. Every chunk of the list is either among those it brings or one brought before.
     */
    void putChunked(List<GrowingContent.Chunked> contents) {
        if (contents.isEmpty()) {
            return;
        }
        Set<ContentHash> inBatch = new HashSet<>();
        try (KvBatch batch = kv.batch()) {
            for (GrowingContent.Chunked c : contents) {
                List<ContentHash> parts = c.parts();
                int first = parts.size() - c.newParts().size();
                for (int i = 0; i < c.newParts().size(); i++) {
                    stage(batch, parts.get(first + i), c.newParts().get(i), inBatch);
                }
                if (inBatch.add(c.hash()) && kv.get(Keyspace.CONTENT, c.hash().toBytes()) == null) {
                    batch.put(Keyspace.CONTENT, c.hash().toBytes(), ContentCodec.chunked(parts, c.lengths()));
                }
            }
            batch.commit();
        }
    }

    /**
     * Stores content again as a bsdiff patch to similar content, where the patch is at most {@link #DELTA_RATIO} of
     * its size (gc's packing, docs/storage.md "Deltas"). Each pair is (content, its base), say a file's keyframe
     * and the keyframe before it. Left as it is: content already a delta or the base of one, chunked, outside
     * the delta sizes or missing, and content whose base is missing, chunked, or would make a chain longer than
     * {@link #DELTA_CHAIN} or a cycle. Each content value is replaced in one commit, by a patch that rebuilds the
     * same bytes.
     *
     * @param bases the bases of the deltas stored already (a patch under one would lengthen chains past their
     *              depth); the bases of the new patches are added
     * @return how many were stored as patches, and the bytes that freed in the engine (the payload log's space
     *     is freed by gc's segment pass)
     */
    Packed pack(List<ContentHash[]> pairs, Set<ContentHash> bases) {
        Map<ContentHash, ContentHash> packed = new HashMap<>();
        long freed = 0;
        ContentHash lastHash = null;
        byte[] lastBytes = null;
        try (SteppedBatch batch = new SteppedBatch(kv, PACK_BATCH, Long.MAX_VALUE)) {
            for (ContentHash[] pair : pairs) {
                ContentHash hash = pair[0];
                ContentHash base = pair[1];
                if (hash.equals(base) || packed.containsKey(hash) || bases.contains(hash)) {
                    continue;
                }
                Integer depth = depthOf(base, hash, packed);
                byte[] value = depth == null ? null : kv.get(Keyspace.CONTENT, hash.toBytes());
                if (value == null || !deltaCandidate(hash, value)) {
                    continue;
                }
                // pairs run oldest first along a path: the base is most often the content read just before
                byte[] baseBytes = base.equals(lastHash) ? lastBytes : get(base);
                byte[] bytes = get(hash);
                lastHash = hash;
                lastBytes = bytes;
                byte[] patch = Deltas.diff(baseBytes, bytes);
                if (patch.length > bytes.length * DELTA_RATIO) {
                    continue;
                }
                byte[] delta = ContentCodec.delta(depth, base, patch);
                batch.put(Keyspace.CONTENT, hash.toBytes(), delta);
                freed += Math.max(0, value.length - delta.length);
                packed.put(hash, base);
                bases.add(base);
            }
            batch.commit();
        }
        return new Packed(packed.size(), freed);
    }

    /** What {@link #pack} did. */
    record Packed(int values, long bytesFreed) {
    }

    /** Whether a stored value holds whole bytes of a size worth a patch: not chunked, not a delta already. */
    private static boolean deltaCandidate(ContentHash hash, byte[] value) {
        ContentCodec.Stored stored = ContentCodec.decode(hash.toBytes(), value);
        long length = stored.bytes() != null ? stored.bytes().length
                : stored.extent() != null ? stored.extent().length() : -1;
        return length >= DELTA_MIN && length < CHUNKED_FROM;
    }

    /**
     * The depth a patch to {@code base} would have, or null if none may be made: the base is missing or chunked,
     * the chain would be too long, or it leads back to {@code target}.
     */
    private Integer depthOf(ContentHash base, ContentHash target, Map<ContentHash, ContentHash> packed) {
        int depth = 1;
        for (ContentHash h = base; ; depth++) {
            if (depth > DELTA_CHAIN || h.equals(target)) {
                return null;
            }
            ContentHash next = packed.get(h);
            if (next == null) {
                byte[] value = kv.get(Keyspace.CONTENT, h.toBytes());
                if (value == null) {
                    return null;
                }
                ContentCodec.Stored stored = ContentCodec.decode(h.toBytes(), value);
                if (stored.parts() != null) {
                    return null;
                }
                if (stored.delta() == null) {
                    return depth;
                }
                next = stored.delta().base();
            }
            h = next;
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
        return get(hash, 0);
    }

    /** @param hops how many deltas led here: a longer chain than any stored is damage, not a deep chain */
    private byte[] get(ContentHash hash, int hops) {
        byte[] key = hash.toBytes();
        ContentCodec.Stored stored = stored(hash);
        byte[] bytes;
        if (stored.bytes() != null) {
            bytes = stored.bytes();
        } else if (stored.extent() != null) {
            bytes = read(key, stored.extent());
        } else if (stored.delta() != null) {
            bytes = patched(key, stored.delta(), hops);
        } else {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ContentHash part : stored.parts()) {
                ContentCodec.Stored chunk = stored(part);
                if (chunk.parts() != null) {
                    throw new CorruptDataException(Schema.describe(Keyspace.CONTENT, key), "chunk " + part + " is itself chunked");
                }
                out.writeBytes(chunk.bytes() != null ? chunk.bytes() : read(part.toBytes(), chunk.extent()));
            }
            bytes = out.toByteArray();
        }
        if (!Arrays.equals(Hashing.sha256(bytes), key)) {
            throw new CorruptDataException(Schema.describe(Keyspace.CONTENT, key), "content does not match its hash");
        }
        return bytes;
    }

    /** A delta's content: its base (checked against its hash), patched. */
    private byte[] patched(byte[] key, ContentCodec.Delta delta, int hops) {
        if (hops >= DELTA_CHAIN) {
            throw new CorruptDataException(Schema.describe(Keyspace.CONTENT, key),
                    "a chain of more than " + DELTA_CHAIN + " deltas");
        }
        byte[] base;
        try {
            base = get(delta.base(), hops + 1);
        } catch (ContentMissingException e) {
            throw new CorruptDataException(Schema.describe(Keyspace.CONTENT, key),
                    "the base " + delta.base() + " of this delta is not in the content store");
        }
        try {
            return Deltas.patch(base, delta.patch(), CHUNKED_FROM - 1);
        } catch (IllegalArgumentException e) {
            throw new CorruptDataException(Schema.describe(Keyspace.CONTENT, key), e.getMessage());
        }
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

    /** The bytes of a segment extent. */
    byte[] read(byte[] key, ContentCodec.Extent extent) {
        return segments.read(extent.segment(), extent.offset(), extent.length(), () -> Schema.describe(Keyspace.CONTENT, key));
    }

    @Override
    public void delete(ContentHash hash) {
        synchronized (this) {
            recent.remove(hash);
        }
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
