package dev.timemachine.core;

import java.util.Arrays;

/**
 * A growing byte array for the packed encodings ({@link EventBlock}, {@link VersionCodec}'s runs): bytes,
 * unsigned varints (7 bits a byte, low first) and zigzag varints for signed values. {@link ValueReader} reads
 * them back.
 */
final class ByteOut {
    private byte[] buf;
    private int len;

    ByteOut(int capacity) {
        buf = new byte[Math.max(capacity, 16)];
    }

    private void room(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    void b(int v) {
        room(1);
        buf[len++] = (byte) v;
    }

    void bytes(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    void varint(long v) {
        room(10);
        while ((v & ~0x7FL) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    /** Eight bytes, high first, as {@link java.nio.ByteBuffer#getLong()} reads them. */
    void fixed64(long v) {
        room(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[len++] = (byte) (v >>> shift);
        }
    }

    void zigzag(long v) {
        varint((v << 1) ^ (v >> 63));
    }

    byte[] bytes() {
        return Arrays.copyOf(buf, len);
    }
}
