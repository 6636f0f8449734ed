package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.Keyspace;
import java.nio.ByteBuffer;
import dev.timemachine.api.Version;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code m:} version index: keys recording(4) pathId(8) ~time(8) ~seq(8), so the versions of a path run
 * newest first and one forward seek finds "latest at or before T"; values are encoded {@link VersionRecord}s,
 * or a run of consecutive extents of one path ({@link #run}), keyed by its first: a file grown by a million
 * small writes is then a thousand entries, not a million. A run holds nothing but that path's extents between
 * its first and its last, so a seek to any instant inside it finds it, and its writes after the instant are
 * left out when it is read.
 */
final class VersionCodec implements KeyspaceCodec {
    static final VersionCodec INSTANCE = new VersionCodec();
    static final int KEY_LENGTH = 28;
    private static final byte V1 = 1;
    /**
     * A run of extents as first stored: mode(4) flags(4) count(4), then per write dt(8) dseq(8) offset(8) length(8)
     * and its bytes or hash. Still read; {@link #PACKED_RUN} is written instead.
     */
    private static final byte RUN = 2;
    private static final byte RUN_DATA = 0;
    private static final byte RUN_HASH = 1;
    /**
     * A run of extents, each as what changed from the write before it: mode, flags and the count (varints), then
     * per write a byte of {@code W_*} bits, time and sequence as differences from the write before (zigzag
     * varints; the first's are those of the key, so 0), unless {@link #W_SAME_LENGTH} the length, unless
     * {@link #W_OFFSET_FOLLOWS} the offset (varints; one that follows is the write before's offset plus its
     * length), then with {@link #W_DATA} the inline bytes (varint length, bytes), else unless {@link #W_SAME_HASH}
     * the content hash. A flood of 4 KiB writes of one page (dd of zeros) takes 4 to 6 bytes a write here, 65 in
     * {@link #RUN}; that was 34 MB through the store's log and memtables for a 2 GiB dd.
     */
    private static final byte PACKED_RUN = 3;
    private static final int W_DATA = 1;
    private static final int W_SAME_HASH = 2;
    private static final int W_SAME_LENGTH = 4;
    private static final int W_OFFSET_FOLLOWS = 8;
    private static final int W_KNOWN = W_DATA | W_SAME_HASH | W_SAME_LENGTH | W_OFFSET_FOLLOWS;
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

    /** The length of {@link #pathPrefix}. */
    static final int PATH_PREFIX_LENGTH = 12;

    /** The prefix shared by every version of one path in one recording. */
    static byte[] pathPrefix(int recording, long pathId) {
        return ByteBuffer.allocate(PATH_PREFIX_LENGTH).putInt(recording).putLong(pathId).array();
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

    /** Whether a value is a run of extents. */
    static boolean isRun(byte[] value) {
        return value.length > 0 && (value[0] == PACKED_RUN || value[0] == RUN);
    }

    /**
     * The value of a run: {@code writes} are extents of one path, oldest first, with the same mode and flags, and
     * the key is the first one's.
     */
    static byte[] run(List<Version> writes) {
        Version first = writes.get(0);
        // sized for the whole run up front (a write's bits and deltas take ~8 bytes, then its bytes or a hash):
        // growing by doubling copied and faulted in a 1,024-write run's buffer four times over
        int size = 16;
        for (Version v : writes) {
            byte[] data = v.record().data();
            size += 8 + (data == null ? ContentHash.LENGTH : 2 + data.length);
        }
        ByteOut out = new ByteOut(size);
        out.b(PACKED_RUN);
        out.varint(first.record().mode() & 0xFFFFFFFFL);
        out.varint(first.record().flags() & 0xFFFFFFFFL);
        out.varint(writes.size());
        Version prev = first;
        for (Version v : writes) {
            VersionRecord r = v.record();
            VersionRecord p = prev.record();
            boolean data = r.content() == null;
            boolean sameHash = v != first && !data && r.content().equals(p.content());
            boolean sameLength = v != first && r.length() == p.length();
            boolean follows = v != first && r.offset() == p.offset() + p.length();
            out.b((data ? W_DATA : 0) | (sameHash ? W_SAME_HASH : 0) | (sameLength ? W_SAME_LENGTH : 0)
                    | (follows ? W_OFFSET_FOLLOWS : 0));
            out.zigzag(v.timeNs() - prev.timeNs());
            out.zigzag(v.sequence() - prev.sequence());
            if (!sameLength) {
                out.varint(r.length());
            }
            if (!follows) {
                out.varint(r.offset());
            }
            if (data) {
                out.varint(r.data().length);
                out.bytes(r.data());
            } else if (!sameHash) {
                out.bytes(r.content().toBytes());
            }
            prev = v;
        }
        return out.bytes();
    }

    /** The versions an entry holds, newest first: one, or the writes of a run. */
    static List<Version> versions(byte[] path, byte[] key, byte[] value) {
        long t = time(key);
        long s = sequence(key);
        if (!isRun(value)) {
            return List.of(new Version(path, t, s, record(key, value)));
        }
        return value[0] == RUN ? fixedRun(path, key, value, t, s) : packedRun(path, key, value, t, s);
    }

    private static List<Version> packedRun(byte[] path, byte[] key, byte[] value, long t, long s) {
        return ValueReader.decode(Keyspace.VERSIONS, key, value, PACKED_RUN, r -> {
            int mode = (int) r.unsigned32();
            int flags = (int) r.unsigned32();
            int n = r.varCount(3); // bits, time and sequence at least
            if (n < 1) {
                throw r.corrupt("an empty run");
            }
            Version[] out = new Version[n];
            long time = t;
            long seq = s;
            long offset = 0;
            long length = 0;
            ContentHash hash = null;
            for (int i = 0; i < n; i++) {
                int bits = r.b.get() & 0xFF;
                boolean same = (bits & (W_SAME_HASH | W_SAME_LENGTH | W_OFFSET_FOLLOWS)) != 0;
                if ((bits & ~W_KNOWN) != 0 || (i == 0 && same) || ((bits & W_DATA) != 0 && (bits & W_SAME_HASH) != 0)
                        || ((bits & W_SAME_HASH) != 0 && hash == null)) {
                    throw r.corrupt("bad write bits " + bits + " at write " + i + " of a run");
                }
                time += r.zigzag();
                seq += r.zigzag();
                long next = offset + length;
                if ((bits & W_SAME_LENGTH) == 0) {
                    length = r.varint();
                }
                offset = (bits & W_OFFSET_FOLLOWS) != 0 ? next : r.varint();
                VersionRecord rec;
                if ((bits & W_DATA) != 0) {
                    rec = new VersionRecord(VersionRecord.Kind.EXTENT, offset, length, null, mode, null, flags, r.varBytes());
                    hash = null;
                } else {
                    if ((bits & W_SAME_HASH) == 0) {
                        byte[] h = new byte[ContentHash.LENGTH];
                        r.b.get(h);
                        hash = ContentHash.of(h);
                    }
                    rec = new VersionRecord(VersionRecord.Kind.EXTENT, offset, length, hash, mode, null, flags);
                }
                out[n - 1 - i] = new Version(path, time, seq, rec);
            }
            return List.of(out);
        });
    }

    private static List<Version> fixedRun(byte[] path, byte[] key, byte[] value, long t, long s) {
        return ValueReader.decode(Keyspace.VERSIONS, key, value, RUN, r -> {
            int mode = r.b.getInt();
            int flags = r.b.getInt();
            int n = r.b.getInt();
            if (n < 1 || n > r.b.remaining() / 33) {
                throw r.corrupt("bad run length " + n);
            }
            Version[] out = new Version[n];
            for (int i = 0; i < n; i++) {
                long dt = r.b.getLong();
                long ds = r.b.getLong();
                long offset = r.b.getLong();
                long length = r.b.getLong();
                byte kind = r.b.get();
                VersionRecord rec;
                if (kind == RUN_HASH) {
                    byte[] h = new byte[ContentHash.LENGTH];
                    r.b.get(h);
                    rec = new VersionRecord(VersionRecord.Kind.EXTENT, offset, length, ContentHash.of(h), mode, null, flags);
                } else if (kind == RUN_DATA) {
                    rec = new VersionRecord(VersionRecord.Kind.EXTENT, offset, length, null, mode, null, flags, r.bytes());
                } else {
                    throw r.corrupt("unknown write kind " + kind + " in a run");
                }
                out[n - 1 - i] = new Version(path, t + dt, s + ds, rec);
            }
            return List.of(out);
        });
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
        versions(new byte[0], key, value);
    }

    /** Reads only the content field, so collecting the references of every version costs no full decode. */
    @Override
    public void references(byte[] key, byte[] value, Consumer<ContentHash> out) {
        if (isRun(value)) {
            for (Version v : versions(new byte[0], key, value)) {
                if (v.record().content() != null) {
                    out.accept(v.record().content());
                }
            }
            return;
        }
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
