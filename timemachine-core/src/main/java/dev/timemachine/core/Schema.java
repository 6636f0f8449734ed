package dev.timemachine.core;

import dev.timemachine.api.spi.Keyspace;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The storage schema (docs/storage.md): which codec owns each keyspace, and the key conventions they share.
 * Numbers in keys are fixed-width big-endian; signed values have their sign bit flipped so that unsigned byte
 * order equals numeric order. No key embeds a path: paths are interned to 8-byte ids ({@link PathTable}), which
 * keeps every key short enough for LMDB and free of separators. Every value starts with a format-version byte.
 *
 * <pre>
 * l:  recording(4) time(8) seq(8)                      journal entries of one append  {@link EventCodec}
 * e:  recording(4) time(8) seq(8)                      event summary (no payload)     {@link EventCodec}
 * m:  recording(4) pathId(8) ~time(8) ~seq(8)          version record, newest first   {@link VersionCodec}
 * c:  sha256(32)                                       content                        {@link ContentCodec}
 * p:  0x01 sha256(path)(32) / 0x02 pathId(8)           path to id / id to path        {@link PathCodec}
 * s:  0x01 name / 0x02 recording(4) / 0x03 recording(4) / 0x04 dev(8) ino(8)
 *                                                      settings, recordings, journal state, baseline cache
 *                                                                                     {@link MetaCodec}
 * </pre>
 */
final class Schema {
    private Schema() {
    }

    /** The codec of {@code keyspace}. */
    static KeyspaceCodec codec(Keyspace keyspace) {
        return switch (keyspace) {
            case JOURNAL -> EventCodec.JOURNAL;
            case EVENTS -> EventCodec.EVENTS;
            case VERSIONS -> VersionCodec.INSTANCE;
            case CONTENT -> ContentCodec.INSTANCE;
            case PATHS -> PathCodec.INSTANCE;
            case META -> MetaCodec.INSTANCE;
        };
    }

    /** Order-preserving encoding of a signed long (and its inverse: the same flip). */
    static long ordered(long v) {
        return v ^ Long.MIN_VALUE;
    }

    /** The prefix of every journal, event and version key of a recording. */
    static byte[] recordingPrefix(int recording) {
        return ByteBuffer.allocate(4).putInt(recording).array();
    }

    /** The recording a journal, event or version key belongs to. */
    static int recordingOf(byte[] key) {
        return ByteBuffer.wrap(key).getInt(0);
    }

    /**
     * The smallest key greater than every key starting with {@code prefix}, or {@code null} if there is none
     * (the prefix is all 0xFF).
     */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    /** How error messages and verification name a key: {@code prefix:hex}. */
    static String describe(Keyspace keyspace, byte[] key) {
        return keyspace.prefix() + ":" + HexFormat.of().formatHex(key);
    }
}
