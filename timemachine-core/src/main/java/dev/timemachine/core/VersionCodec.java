package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.Keyspace;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The {@code m:} version index: keys recording(4) pathId(8) ~time(8) ~seq(8), so the versions of a path run
 * newest first and one forward seek finds "latest at or before T"; values are encoded {@link VersionRecord}s.
 */
final class VersionCodec implements KeyspaceCodec {
    static final VersionCodec INSTANCE = new VersionCodec();
    static final int KEY_LENGTH = 28;
    private static final byte V1 = 1;
    /** Where the content flag sits in a value: after version, kind, flags, offset, length and mode. */
    private static final int CONTENT_AT = 1 + 1 + 4 + 8 + 8 + 4;

    private VersionCodec() {
    }

    @Override
    public Keyspace keyspace() {
        return Keyspace.VERSIONS;
    }

    static byte[] key(int recording, long pathId, long timeNs, long seq) {
        return ByteBuffer.allocate(KEY_LENGTH).putInt(recording).putLong(pathId)
                .putLong(~Schema.ordered(timeNs)).putLong(~Schema.ordered(seq)).array();
    }

    /** The prefix shared by every version of one path in one recording. */
    static byte[] pathPrefix(int recording, long pathId) {
        return ByteBuffer.allocate(12).putInt(recording).putLong(pathId).array();
    }

    static long pathId(byte[] key) {
        return ByteBuffer.wrap(key).getLong(4);
    }

    static long time(byte[] key) {
        return Schema.ordered(~ByteBuffer.wrap(key).getLong(12));
    }

    static long sequence(byte[] key) {
        return Schema.ordered(~ByteBuffer.wrap(key).getLong(20));
    }

    static byte[] value(VersionRecord v) {
        int size = CONTENT_AT + 1 + (v.content() == null ? 0 : ContentHash.LENGTH) + 4
                + (v.target() == null ? 0 : v.target().length) + 4 + (v.data() == null ? 0 : v.data().length);
        ByteBuffer b = ByteBuffer.allocate(size).put(V1).put((byte) v.kind().code()).putInt(v.flags())
                .putLong(v.offset()).putLong(v.length()).putInt(v.mode());
        if (v.content() == null) {
            b.put((byte) 0);
        } else {
            b.put((byte) 1).put(v.content().toBytes());
        }
        putNullable(b, v.target());
        putNullable(b, v.data());
        return b.array();
    }

    private static void putNullable(ByteBuffer b, byte[] bytes) {
        if (bytes == null) {
            b.putInt(-1);
        } else {
            b.putInt(bytes.length).put(bytes);
        }
    }

    static VersionRecord record(byte[] key, byte[] value) {
        return ValueReader.decode(Keyspace.VERSIONS, key, value, V1, r -> {
            VersionRecord.Kind kind = VersionRecord.Kind.ofCode(r.b.get() & 0xFF);
            int flags = r.b.getInt();
            long offset = r.b.getLong();
            long length = r.b.getLong();
            int mode = r.b.getInt();
            ContentHash content = null;
            if (r.b.get() != 0) {
                byte[] h = new byte[ContentHash.LENGTH];
                r.b.get(h);
                content = ContentHash.of(h);
            }
            byte[] target = r.nullableBytes();
            byte[] data = r.nullableBytes();
            return new VersionRecord(kind, offset, length, content, mode, target, flags, data);
        });
    }

    @Override
    public void check(byte[] key, byte[] value) {
        if (key.length != KEY_LENGTH) {
            throw new CorruptDataException(Schema.describe(Keyspace.VERSIONS, key),
                    "a version key has " + KEY_LENGTH + " bytes, not " + key.length);
        }
        record(key, value);
    }

    /** Reads only the content field, so collecting the references of every version costs no full decode. */
    @Override
    public void references(byte[] key, byte[] value, Consumer<ContentHash> out) {
        if (value.length == 0 || value[0] != V1 || value.length <= CONTENT_AT) {
            record(key, value); // throws naming the key
            return;
        }
        if (value[CONTENT_AT] != 0) {
            if (value.length < CONTENT_AT + 1 + ContentHash.LENGTH) {
                throw new CorruptDataException(Schema.describe(Keyspace.VERSIONS, key), "truncated content hash");
            }
            out.accept(ContentHash.of(Arrays.copyOfRange(value, CONTENT_AT + 1, CONTENT_AT + 1 + ContentHash.LENGTH)));
        }
    }
}
