package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.Op;
import dev.timemachine.api.spi.Keyspace;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The {@code l:} journal and the {@code e:} event summaries: the same keys, recording(4) time(8) seq(8), and the
 * same value, an encoded {@link FsEvent} whose payload ends the value (empty in a summary).
 */
final class EventCodec implements KeyspaceCodec {
    static final EventCodec JOURNAL = new EventCodec(Keyspace.JOURNAL);
    static final EventCodec EVENTS = new EventCodec(Keyspace.EVENTS);
    static final int KEY_LENGTH = 20;
    private static final byte V1 = 1;

    private final Keyspace keyspace;

    private EventCodec(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    @Override
    public Keyspace keyspace() {
        return keyspace;
    }

    static byte[] key(int recording, long timeNs, long seq) {
        return ByteBuffer.allocate(KEY_LENGTH).putInt(recording).putLong(Schema.ordered(timeNs))
                .putLong(Schema.ordered(seq)).array();
    }

    static long time(byte[] key) {
        return Schema.ordered(ByteBuffer.wrap(key).getLong(4));
    }

    static long sequence(byte[] key) {
        return Schema.ordered(ByteBuffer.wrap(key).getLong(12));
    }

    /** The whole value of {@code e}. */
    static byte[] value(FsEvent e) {
        byte[] head = head(e);
        byte[] value = Arrays.copyOf(head, head.length + e.payload().length);
        System.arraycopy(e.payload(), 0, value, head.length, e.payload().length);
        return value;
    }

    /** The value of {@code e} up to its payload, which follows it (so a payload is never copied to be stored). */
    static byte[] head(FsEvent e) {
        int size = 1 + 1 + 4 + 4 + 4 + 8 + 8 + 4 + 4 + e.path().length + 4
                + (e.path2() == null ? 0 : e.path2().length) + 4;
        ByteBuffer b = ByteBuffer.allocate(size).put(V1).put((byte) e.op().code()).putInt(e.flags())
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

    /** The value of {@code e} without its payload: what the event log keeps. */
    static byte[] summary(FsEvent e) {
        return head(new FsEvent(e.timeNs(), e.pid(), e.tid(), e.op(), e.path(), e.path2(), e.offset(), e.length(),
                e.mode(), null, e.flags()));
    }

    /** The entry stored under {@code key}. */
    JournalEntry entry(byte[] key, byte[] value) {
        if (key.length != KEY_LENGTH) {
            throw new dev.timemachine.api.CorruptDataException(Schema.describe(keyspace, key),
                    "an event key has " + KEY_LENGTH + " bytes, not " + key.length);
        }
        long timeNs = time(key);
        FsEvent event = ValueReader.decode(keyspace, key, value, V1, r -> {
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
            return new FsEvent(timeNs, pid, tid, op, path, path2, offset, length, mode, payload, flags);
        });
        return new JournalEntry(sequence(key), event);
    }

    @Override
    public void check(byte[] key, byte[] value) {
        entry(key, value);
    }
}
