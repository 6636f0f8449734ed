package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.Keyspace;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code c:} content store: key sha256(32); value a codec byte, then the bytes as they are
 * ({@link #RAW}), the (length, hash) of each chunk they are assembled from ({@link #CHUNKS}), where in the
 * payload log they are ({@link #SEGMENT}: segment(4) offset(8) length(4)), or a bsdiff patch that turns other
 * content into them ({@link #DELTA}: depth(1) base hash(32) patch; depth 1 for a base that is not itself a delta).
 */
final class ContentCodec implements KeyspaceCodec {
    static final ContentCodec INSTANCE = new ContentCodec();
    private static final byte V1 = 1;
    /** Content codec: the bytes as they are. */
    static final byte RAW = 0;
    /** Content codec: a list of (length, hash) of chunks stored on their own. */
    static final byte CHUNKS = 1;
    /** Content codec: the bytes are in a segment of the payload log. */
    static final byte SEGMENT = 2;
    /** Content codec: a patch to apply to the base content (docs/storage.md, "Deltas"). */
    static final byte DELTA = 3;
    /** What precedes the bytes of raw content; they follow it in the value without being copied. */
    static final byte[] RAW_HEAD = {V1, RAW};
    private static final int CHUNK_ENTRY = 4 + ContentHash.LENGTH;

    private ContentCodec() {
    }

    @Override
    public Keyspace keyspace() {
        return Keyspace.CONTENT;
    }

    /**
     * A decoded content value: the bytes, the chunks to assemble with their lengths, a place in a segment, or a
     * patch to a base.
     */
    record Stored(byte[] bytes, List<ContentHash> parts, long[] lengths, Extent extent, Delta delta) {
        Stored(byte[] bytes, List<ContentHash> parts, long[] lengths, Extent extent) {
            this(bytes, parts, lengths, extent, null);
        }
    }

    /** The content is {@code patch} applied to {@code base}, which is {@code depth - 1} patches from stored bytes. */
    record Delta(int depth, ContentHash base, byte[] patch) {
    }

    /** {@code length} bytes at {@code offset} of segment {@code segment}. */
    record Extent(int segment, long offset, int length) {
    }

    static byte[] segment(Segments.Location at, int length) {
        return ByteBuffer.allocate(2 + 4 + 8 + 4).put(V1).put(SEGMENT).putInt(at.segment()).putLong(at.offset())
                .putInt(length).array();
    }

    static byte[] chunked(List<ContentHash> parts, List<Integer> lengths) {
        ByteBuffer b = ByteBuffer.allocate(2 + 4 + parts.size() * CHUNK_ENTRY).put(V1).put(CHUNKS).putInt(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            b.putInt(lengths.get(i)).put(parts.get(i).toBytes());
        }
        return b.array();
    }

    static byte[] delta(int depth, ContentHash base, byte[] patch) {
        return ByteBuffer.allocate(2 + 1 + ContentHash.LENGTH + patch.length).put(V1).put(DELTA).put((byte) depth)
                .put(base.toBytes()).put(patch).array();
    }

    static Stored decode(byte[] key, byte[] value) {
        return ValueReader.decode(Keyspace.CONTENT, key, value, V1, r -> {
            byte codec = r.b.get();
            if (codec == RAW) {
                return new Stored(r.rest(), null, null, null);
            }
            if (codec == SEGMENT) {
                Extent e = new Extent(r.b.getInt(), r.b.getLong(), r.b.getInt());
                if (e.segment() <= 0 || e.offset() < 0 || e.length() < 0) {
                    throw r.corrupt("bad segment extent " + e);
                }
                return new Stored(null, null, null, e);
            }
            if (codec == DELTA) {
                int depth = r.b.get();
                if (depth < 1) {
                    throw r.corrupt("bad delta depth " + depth);
                }
                byte[] base = new byte[ContentHash.LENGTH];
                r.b.get(base);
                if (Arrays.equals(base, key)) {
                    throw r.corrupt("a delta from itself");
                }
                return new Stored(null, null, null, null, new Delta(depth, ContentHash.of(base), r.rest()));
            }
            if (codec != CHUNKS) {
                throw r.corrupt("unknown content codec " + codec);
            }
            int n = r.b.getInt();
            if (n < 0 || n > r.b.remaining() / CHUNK_ENTRY) {
                throw r.corrupt("bad chunk count " + n);
            }
            List<ContentHash> parts = new ArrayList<>(n);
            long[] lengths = new long[n];
            byte[] h = new byte[ContentHash.LENGTH];
            for (int i = 0; i < n; i++) {
                lengths[i] = r.b.getInt();
                r.b.get(h);
                parts.add(ContentHash.of(h));
            }
            return new Stored(null, parts, lengths, null);
        });
    }

    @Override
    public void check(byte[] key, byte[] value) {
        if (key.length != ContentHash.LENGTH) {
            throw new CorruptDataException(Schema.describe(Keyspace.CONTENT, key),
                    "a content key has " + ContentHash.LENGTH + " bytes, not " + key.length);
        }
        decode(key, value);
    }

    /** The chunks of chunked content, the base of a delta; raw and segment content refer to no other content. */
    @Override
    public void references(byte[] key, byte[] value, Consumer<ContentHash> out) {
        if (value.length >= 2 && value[0] == V1 && (value[1] == RAW || value[1] == SEGMENT)) {
            return;
        }
        Stored s = decode(key, value);
        if (s.parts() != null) {
            s.parts().forEach(out);
        } else if (s.delta() != null) {
            out.accept(s.delta().base());
        }
    }
}
