package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.spi.Keyspace;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The {@code s:} keyspace, by its first key byte: {@link #SETTING} store-wide settings by name (a long each),
 * {@link #RECORDING} recording descriptions, {@link #JOURNAL_STATE} each journal's trim point and last sequence,
 * {@link #BASELINE_CACHE} the content hash a baseline saw for a file, by (device, inode).
 */
final class MetaCodec implements KeyspaceCodec {
    static final MetaCodec INSTANCE = new MetaCodec();
    static final byte SETTING = 1;
    static final byte RECORDING = 2;
    static final byte JOURNAL_STATE = 3;
    static final byte BASELINE_CACHE = 4;

    /** The storage format of the state dir ({@link Stores#FORMAT}). */
    static final String FORMAT = "format";
    /** The id the next recording gets. */
    static final String NEXT_RECORDING_ID = "next-recording-id";
    /** The id the next interned path gets. */
    static final String NEXT_PATH_ID = "next-path-id";
    /** The id the next segment file gets ({@link Segments}). */
    static final String NEXT_SEGMENT_ID = "next-segment-id";

    private static final byte V1 = 1;
    private static final int BASELINE_VALUE = 1 + 8 + 8 + ContentHash.LENGTH;

    private MetaCodec() {
    }

    @Override
    public Keyspace keyspace() {
        return Keyspace.META;
    }

    // ---- settings ----

    static byte[] settingKey(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + n.length).put(SETTING).put(n).array();
    }

    static byte[] settingValue(long v) {
        return ByteBuffer.allocate(9).put(V1).putLong(v).array();
    }

    static long setting(byte[] key, byte[] value) {
        return ValueReader.decode(Keyspace.META, key, value, V1, r -> r.b.getLong());
    }

    // ---- recordings ----

    static byte[] recordingKey(int id) {
        return ByteBuffer.allocate(5).put(RECORDING).putInt(id).array();
    }

    /** The bounds of every recording key. */
    static byte[][] recordingRange() {
        return new byte[][] {{RECORDING}, {RECORDING + 1}};
    }

    /** The id in a recording key, whether or not its value decodes. */
    static int recordingId(byte[] key) {
        return ByteBuffer.wrap(key, 1, 4).getInt();
    }

    static byte[] recordingValue(RecordingInfo info) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(V1);
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
            for (Map.Entry<String, Long> c : new TreeMap<>(info.counters()).entrySet()) {
                writeString(out, c.getKey());
                out.writeLong(c.getValue());
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
    }

    static RecordingInfo recording(byte[] key, byte[] value) {
        return ValueReader.decode(Keyspace.META, key, value, V1, r -> {
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
            return new RecordingInfo(id, startMono, startWall, endMono, command, roots, capture, exit, complete,
                    counters);
        });
    }

    // ---- journal state ----

    /** A journal's trim point and the last sequence it gave. */
    record JournalState(long trimTimeNs, long trimSequence, long lastSequence) {
    }

    static byte[] journalStateKey(int recording) {
        return ByteBuffer.allocate(5).put(JOURNAL_STATE).putInt(recording).array();
    }

    static byte[] journalStateValue(JournalState s) {
        return ByteBuffer.allocate(25).put(V1).putLong(s.trimTimeNs()).putLong(s.trimSequence())
                .putLong(s.lastSequence()).array();
    }

    static JournalState journalState(byte[] key, byte[] value) {
        return ValueReader.decode(Keyspace.META, key, value, V1,
                r -> new JournalState(r.b.getLong(), r.b.getLong(), r.b.getLong()));
    }

    // ---- baseline cache ----

    /** What a baseline saw of one file: its size and mtime then, and the hash of its content. */
    record BaselineEntry(long size, long mtimeNs, ContentHash hash) {
    }

    static byte[] baselineKey(long dev, long ino) {
        return ByteBuffer.allocate(17).put(BASELINE_CACHE).putLong(dev).putLong(ino).array();
    }

    static byte[] baselineValue(BaselineEntry e) {
        return ByteBuffer.allocate(BASELINE_VALUE).put(V1).putLong(e.size()).putLong(e.mtimeNs())
                .put(e.hash().toBytes()).array();
    }

    static BaselineEntry baselineEntry(byte[] key, byte[] value) {
        return ValueReader.decode(Keyspace.META, key, value, V1, r -> {
            long size = r.b.getLong();
            long mtime = r.b.getLong();
            byte[] h = new byte[ContentHash.LENGTH];
            r.b.get(h);
            return new BaselineEntry(size, mtime, ContentHash.of(h));
        });
    }

    // ---- the keyspace as a whole ----

    @Override
    public void check(byte[] key, byte[] value) {
        switch (key.length == 0 ? -1 : key[0]) {
            case SETTING -> setting(key, value);
            case RECORDING -> recording(key, value);
            case JOURNAL_STATE -> journalState(key, value);
            case BASELINE_CACHE -> baselineEntry(key, value);
            default -> throw new CorruptDataException(Schema.describe(Keyspace.META, key), "not a key of the metadata");
        }
    }

    @Override
    public void references(byte[] key, byte[] value, Consumer<ContentHash> out) {
        if (key.length > 0 && key[0] == BASELINE_CACHE) {
            out.accept(baselineEntry(key, value).hash());
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
}
