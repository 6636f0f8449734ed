package dev.timemachine.core;

import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.Keyspace;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads one stored value, checking its format-version byte first; every problem becomes a
 * {@link CorruptDataException} naming the key. Used by the codecs only.
 */
final class ValueReader {
    private final Keyspace keyspace;
    private final byte[] key;
    final ByteBuffer b;

    ValueReader(Keyspace keyspace, byte[] key, byte[] value, byte version) {
        this.keyspace = keyspace;
        this.key = key;
        if (value.length == 0) {
            throw new CorruptDataException(name(), "empty value");
        }
        if (value[0] != version) {
            throw new CorruptDataException(name(), "unknown format version " + value[0] + " (expected " + version + ")");
        }
        this.b = ByteBuffer.wrap(value, 1, value.length - 1);
    }

    /**
     * Decodes a value with {@code body}, which reads from {@link #b}; a truncated value or a bad code is reported
     * as corrupt, and so are bytes left over.
     */
    static <T> T decode(Keyspace keyspace, byte[] key, byte[] value, byte version, Function<ValueReader, T> body) {
        ValueReader r = new ValueReader(keyspace, key, value, version);
        T result;
        try {
            result = body.apply(r);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptDataException(r.name(), "cannot decode: " + e.getMessage(), e);
        }
        r.end();
        return result;
    }

    String name() {
        return Schema.describe(keyspace, key);
    }

    CorruptDataException corrupt(String problem) {
        return new CorruptDataException(name(), problem);
    }

    int count() {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw corrupt("bad length " + n);
        }
        return n;
    }

    byte[] bytes() {
        byte[] out = new byte[count()];
        b.get(out);
        return out;
    }

    byte[] nullableBytes() {
        int n = b.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > b.remaining()) {
            throw corrupt("bad length " + n);
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    /** An unsigned varint (7 bits a byte, low first), as {@link ByteOut#varint} writes it. */
    long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int x = b.get() & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                if (shift == 63 && x > 1) {
                    break;
                }
                return v;
            }
        }
        throw corrupt("bad varint");
    }

    /** A signed value written by {@link ByteOut#zigzag}. */
    long zigzag() {
        long v = varint();
        return (v >>> 1) ^ -(v & 1);
    }

    /** A varint that must fit 32 unsigned bits. */
    long unsigned32() {
        long v = varint();
        if (v > 0xFFFFFFFFL) {
            throw corrupt("bad 32-bit field " + v);
        }
        return v;
    }

    /** A varint count of things taking at least {@code bytesEach} bytes each in what is left. */
    int varCount(int bytesEach) {
        long n = varint();
        if (n > b.remaining() / bytesEach) {
            throw corrupt("bad count " + n);
        }
        return (int) n;
    }

    /** Bytes after their varint length. */
    byte[] varBytes() {
        byte[] out = new byte[varCount(1)];
        b.get(out);
        return out;
    }

    /** Everything left. */
    byte[] rest() {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    String string() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    List<String> strings() {
        int n = count();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(string());
        }
        return out;
    }

    private void end() {
        if (b.hasRemaining()) {
            throw corrupt(b.remaining() + " unexpected trailing bytes");
        }
    }
}
