package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.Keyspace;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary value encodings. Every value starts with a format-version byte; a reader meeting another version,
 * a truncated value or trailing bytes throws {@link CorruptDataException} naming the key.
 */
final class Values {
    static final byte EVENT_V1 = 1;
    static final byte VERSION_V1 = 1;
    static final byte RECORDING_V1 = 1;
    static final byte CONTENT_V1 = 1;
    static final byte PATH_V1 = 1;
    static final byte SETTING_V1 = 1;
    static final byte JOURNAL_V1 = 1;

    private Values() {
    }

    // ---- events (l:) ----

    static byte[] event(FsEvent e) {
        byte[] head = eventHead(e);
        byte[] value = Arrays.copyOf(head, head.length + e.payload().length);
        System.arraycopy(e.payload(), 0, value, head.length, e.payload().length);
        return value;
    }

    /** The encoding of {@code e} up to its payload, which follows it in the value. */
    static byte[] eventHead(FsEvent e) {
        int size = 1 + 1 + 4 + 4 + 4 + 8 + 8 + 4 + 4 + e.path().length + 4
                + (e.path2() == null ? 0 : e.path2().length) + 4;
        ByteBuffer b = ByteBuffer.allocate(size).put(EVENT_V1).put((byte) e.op().code()).putInt(e.flags())
                .putInt(e.pid()).putInt(e.tid()).putLong(e.offset()).putLong(e.length()).putInt(e.mode());
        b.putInt(e.path().length).put(e.path());
        if (e.path2() == null) {
            b.putInt(-1);
        } else {
            b.putInt(e.path2().length).put(e.path2());
        }
        b.putInt(e.payload().length);
        return b.array();
    }

    static FsEvent event(byte[] key, byte[] value, long timeNs) {
        Reader r = new Reader(Keyspace.JOURNAL, key, value, EVENT_V1);
        try {
            Op op = Op.ofCode(r.b.get() & 0xFF);
            int flags = r.b.getInt();
            int pid = r.b.getInt();
            int tid = r.b.getInt();
            long offset = r.b.getLong();
            long length = r.b.getLong();
            int mode = r.b.getInt();
            byte[] path = r.bytes();
            byte[] path2 = r.nullableBytes();
            byte[] payload = r.bytes();
            r.end();
            return new FsEvent(timeNs, pid, tid, op, path, path2, offset, length, mode, payload, flags);
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            throw r.corrupt(e);
        }
    }

    // ---- version records (m:) ----

    static byte[] version(VersionRecord v) {
        int size = 1 + 1 + 4 + 8 + 8 + 4 + 1 + (v.content() == null ? 0 : ContentHash.LENGTH) + 4
                + (v.target() == null ? 0 : v.target().length) + 4 + (v.data() == null ? 0 : v.data().length);
        ByteBuffer b = ByteBuffer.allocate(size).put(VERSION_V1).put((byte) v.kind().code()).putInt(v.flags())
                .putLong(v.offset()).putLong(v.length()).putInt(v.mode());
        if (v.content() == null) {
            b.put((byte) 0);
        } else {
            b.put((byte) 1).put(v.content().toBytes());
        }
        if (v.target() == null) {
            b.putInt(-1);
        } else {
            b.putInt(v.target().length).put(v.target());
        }
        if (v.data() == null) {
            b.putInt(-1);
        } else {
            b.putInt(v.data().length).put(v.data());
        }
        return b.array();
    }

    static VersionRecord version(byte[] key, byte[] value) {
        Reader r = new Reader(Keyspace.VERSIONS, key, value, VERSION_V1);
        try {
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
            r.end();
            return new VersionRecord(kind, offset, length, content, mode, target, flags, data);
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            throw r.corrupt(e);
        }
    }

    // ---- recordings (s:) ----

    static byte[] recording(RecordingInfo info) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(RECORDING_V1);
            out.writeInt(info.id());
            out.writeLong(info.startMonoNs());
            out.writeLong(info.startWallNs());
            out.writeLong(info.endMonoNs());
            writeStrings(out, info.command());
            writeStrings(out, info.roots());
            writeString(out, info.capture());
            out.writeInt(info.exitCode());
            out.writeBoolean(info.complete());
            out.writeInt(info.counters().size());
            for (Map.Entry<String, Long> c : new java.util.TreeMap<>(info.counters()).entrySet()) {
                writeString(out, c.getKey());
                out.writeLong(c.getValue());
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RecordingInfo recording(byte[] key, byte[] value) {
        Reader r = new Reader(Keyspace.META, key, value, RECORDING_V1);
        try {
            int id = r.b.getInt();
            long startMono = r.b.getLong();
            long startWall = r.b.getLong();
            long endMono = r.b.getLong();
            List<String> command = r.strings();
            List<String> roots = r.strings();
            String capture = r.string();
            int exit = r.b.getInt();
            boolean complete = r.b.get() != 0;
            int n = r.count();
            Map<String, Long> counters = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                counters.put(r.string(), r.b.getLong());
            }
            r.end();
            return new RecordingInfo(id, startMono, startWall, endMono, command, roots, capture, exit, complete,
                    counters);
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            throw r.corrupt(e);
        }
    }

    // ---- content (c:) ----

    /** Content codec: the bytes as they are. */
    static final byte CODEC_RAW = 0;
    /** Content codec: a list of (length, hash) of chunks stored on their own. */
    static final byte CODEC_CHUNKS = 1;

    /** A decoded content value: either the bytes, or the chunks to assemble. */
    record StoredContent(byte[] bytes, List<ContentHash> parts, long[] lengths) {
    }

    static byte[] content(byte[] bytes) {
        return ByteBuffer.allocate(2 + bytes.length).put(CONTENT_V1).put(CODEC_RAW).put(bytes).array();
    }

    static byte[] chunkedContent(List<ContentHash> parts, List<Integer> lengths) {
        ByteBuffer b = ByteBuffer.allocate(2 + 4 + parts.size() * (4 + ContentHash.LENGTH)).put(CONTENT_V1)
                .put(CODEC_CHUNKS).putInt(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            b.putInt(lengths.get(i)).put(parts.get(i).toBytes());
        }
        return b.array();
    }

    static StoredContent content(byte[] key, byte[] value) {
        Reader r = new Reader(Keyspace.CONTENT, key, value, CONTENT_V1);
        try {
            byte codec = r.b.get();
            if (codec == CODEC_RAW) {
                byte[] bytes = new byte[r.b.remaining()];
                r.b.get(bytes);
                return new StoredContent(bytes, null, null);
            }
            if (codec != CODEC_CHUNKS) {
                throw new CorruptDataException(r.name(), "unknown content codec " + codec);
            }
            int n = r.b.getInt();
            if (n < 0 || n > r.b.remaining() / (4 + ContentHash.LENGTH)) {
                throw new CorruptDataException(r.name(), "bad chunk count " + n);
            }
            List<ContentHash> parts = new ArrayList<>(n);
            long[] lengths = new long[n];
            byte[] h = new byte[ContentHash.LENGTH];
            for (int i = 0; i < n; i++) {
                lengths[i] = r.b.getInt();
                r.b.get(h);
                parts.add(ContentHash.of(h));
            }
            r.end();
            return new StoredContent(null, parts, lengths);
        } catch (BufferUnderflowException e) {
            throw r.corrupt(e);
        }
    }

    // ---- small values (p:, s:) ----

    static byte[] longValue(byte version, long v) {
        return ByteBuffer.allocate(9).put(version).putLong(v).array();
    }

    static long longValue(Keyspace ks, byte[] key, byte[] value, byte version) {
        Reader r = new Reader(ks, key, value, version);
        try {
            long v = r.b.getLong();
            r.end();
            return v;
        } catch (BufferUnderflowException e) {
            throw r.corrupt(e);
        }
    }

    /** Path-to-id entry: the id, then the path itself (to rule out hash collisions). */
    static byte[] pathEntry(long id, byte[] path) {
        return ByteBuffer.allocate(9 + path.length).put(PATH_V1).putLong(id).put(path).array();
    }

    static byte[] pathValue(byte[] key, byte[] value) {
        Reader r = new Reader(Keyspace.PATHS, key, value, PATH_V1);
        byte[] path = new byte[r.b.remaining()];
        r.b.get(path);
        return path;
    }

    static long pathEntryId(byte[] key, byte[] value) {
        Reader r = new Reader(Keyspace.PATHS, key, value, PATH_V1);
        try {
            return r.b.getLong();
        } catch (BufferUnderflowException e) {
            throw r.corrupt(e);
        }
    }

    static byte[] pathEntryPath(byte[] key, byte[] value) {
        Reader r = new Reader(Keyspace.PATHS, key, value, PATH_V1);
        try {
            r.b.getLong();
            byte[] path = new byte[r.b.remaining()];
            r.b.get(path);
            return path;
        } catch (BufferUnderflowException e) {
            throw r.corrupt(e);
        }
    }

    static byte[] pathValue(byte[] path) {
        return ByteBuffer.allocate(1 + path.length).put(PATH_V1).put(path).array();
    }

    static byte[] journalState(long trimTimeNs, long trimSeq, long lastSeq) {
        return ByteBuffer.allocate(25).put(JOURNAL_V1).putLong(trimTimeNs).putLong(trimSeq).putLong(lastSeq).array();
    }

    static long[] journalState(byte[] key, byte[] value) {
        Reader r = new Reader(Keyspace.META, key, value, JOURNAL_V1);
        try {
            long[] t = {r.b.getLong(), r.b.getLong(), r.b.getLong()};
            r.end();
            return t;
        } catch (BufferUnderflowException e) {
            throw r.corrupt(e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static void writeStrings(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            writeString(out, s);
        }
    }

    /** Reads one value, checking its version byte first. */
    private static final class Reader {
        final Keyspace keyspace;
        final byte[] key;
        final ByteBuffer b;

        Reader(Keyspace keyspace, byte[] key, byte[] value, byte version) {
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

        String name() {
            return Keys.describe(keyspace, key);
        }

        int count() {
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) {
                throw new CorruptDataException(name(), "bad length " + n);
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
                throw new CorruptDataException(name(), "bad length " + n);
            }
            byte[] out = new byte[n];
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

        void end() {
            if (b.hasRemaining()) {
                throw new CorruptDataException(name(), b.remaining() + " unexpected trailing bytes");
            }
        }

        CorruptDataException corrupt(RuntimeException cause) {
            return new CorruptDataException(name(), "cannot decode: " + cause.getMessage(), cause);
        }
    }
}
