package dev.timemachine.core;

import dev.timemachine.api.spi.Keyspace;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * The binary key layouts of DESIGN §8. Numbers are fixed-width big-endian; signed values have their sign bit
 * flipped so that unsigned byte order equals numeric order. No key embeds a path: paths are interned to
 * 8-byte ids ({@link PathTable}), which keeps every key short enough for LMDB and free of separators.
 *
 * <pre>
 * l:  recording(4) time(8) seq(8)                      journal entry
 * e:  recording(4) time(8) seq(8)                      event summary (journal entry without payload)
 * m:  recording(4) pathId(8) ~time(8) ~seq(8)          version record; newest first, so one forward seek
 *                                                      finds "latest at or before T"
 * c:  sha256(32)                                       content
 * p:  0x01 sha256(path)(32)                            path to id
 * p:  0x02 pathId(8)                                   id to path
 * s:  0x01 name(utf-8)                                 store-wide setting
 * s:  0x02 recording(4)                                recording description
 * s:  0x03 recording(4)                                journal state: trim point, last sequence
 * </pre>
 */
final class Keys {
    static final byte PATH_BY_HASH = 1;
    static final byte PATH_BY_ID = 2;
    static final byte META_SETTING = 1;
    static final byte META_RECORDING = 2;
    static final byte META_JOURNAL = 3;

    private Keys() {
    }

    /** Order-preserving encoding of a signed long. */
    static long ordered(long v) {
        return v ^ Long.MIN_VALUE;
    }

    static long unordered(long v) {
        return v ^ Long.MIN_VALUE;
    }

    static byte[] journal(int recording, long timeNs, long seq) {
        return ByteBuffer.allocate(20).putInt(recording).putLong(ordered(timeNs)).putLong(ordered(seq)).array();
    }

    /** Prefix of every journal and version key of a recording. */
    static byte[] recordingPrefix(int recording) {
        return ByteBuffer.allocate(4).putInt(recording).array();
    }

    static long journalTime(byte[] key) {
        return unordered(ByteBuffer.wrap(key).getLong(4));
    }

    static long journalSeq(byte[] key) {
        return unordered(ByteBuffer.wrap(key).getLong(12));
    }

    static byte[] version(int recording, long pathId, long timeNs, long seq) {
        return ByteBuffer.allocate(28).putInt(recording).putLong(pathId)
                .putLong(~ordered(timeNs)).putLong(~ordered(seq)).array();
    }

    /** Prefix shared by every version of one path in one recording. */
    static byte[] versionPrefix(int recording, long pathId) {
        return ByteBuffer.allocate(12).putInt(recording).putLong(pathId).array();
    }

    static long versionPathId(byte[] key) {
        return ByteBuffer.wrap(key).getLong(4);
    }

    static long versionTime(byte[] key) {
        return unordered(~ByteBuffer.wrap(key).getLong(12));
    }

    static long versionSeq(byte[] key) {
        return unordered(~ByteBuffer.wrap(key).getLong(20));
    }

    static byte[] pathByHash(byte[] pathHash) {
        return ByteBuffer.allocate(33).put(PATH_BY_HASH).put(pathHash).array();
    }

    static byte[] pathById(long id) {
        return ByteBuffer.allocate(9).put(PATH_BY_ID).putLong(id).array();
    }

    static byte[] setting(String name) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + n.length).put(META_SETTING).put(n).array();
    }

    static byte[] recording(int id) {
        return ByteBuffer.allocate(5).put(META_RECORDING).putInt(id).array();
    }

    static byte[] journalState(int recording) {
        return ByteBuffer.allocate(5).put(META_JOURNAL).putInt(recording).array();
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
                return java.util.Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    /** How error messages name a key: {@code prefix:hex}. */
    static String describe(Keyspace keyspace, byte[] key) {
        return keyspace.prefix() + ":" + HexFormat.of().formatHex(key);
    }
}
