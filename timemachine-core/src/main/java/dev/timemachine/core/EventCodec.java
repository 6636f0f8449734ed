package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.Op;
import dev.timemachine.api.spi.Keyspace;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code l:} journal and the {@code e:} event summaries: the same keys, recording(4) time(8) seq(8), and the
 * same value, an encoded {@link FsEvent}. Its payload either ends the value ({@link #INLINE}: small payloads, and
 * none in a summary) or is named by its hash ({@link #BY_HASH}): the journal stored it in the content store,
 * that is in the payload log ({@link Segments}), so its bytes are written once. Values of format 1 (payload
 * always inline) are still read. The journal keeps the entries of one append in one value ({@link #journalBlock});
 * a value of one entry alone, as earlier versions wrote, is still read. The event log keeps its summaries in
 * blocks ({@link #block}): one value holds the summaries of one compacted chunk, keyed by its first entry, so a
 * million events are a few hundred entries, each summary written as what changed from the one before
 * ({@link EventBlock}).
 */
final class EventCodec implements KeyspaceCodec {
    static final EventCodec JOURNAL = new EventCodec(Keyspace.JOURNAL);
    static final EventCodec EVENTS = new EventCodec(Keyspace.EVENTS);
    static final int KEY_LENGTH = 20;
    private static final byte V1 = 1;
    private static final byte V2 = 2;
    /**
     * A block of whole summaries: count(4), then for each: time(8) seq(8) and the fields of a summary. Still read;
     * blocks are packed now ({@link EventBlock}).
     */
    private static final byte BLOCK = 3;
    /**
     * A journal block ({@link #journalBlock}): the entries of one append, keyed by their earliest time and first
     * sequence: the greatest position among them(16), count(4), then for each: time(8) seq(8) length(4) and the
     * value of the entry alone.
     */
    private static final byte JOURNAL_BLOCK = 5;
    /**
     * A packed journal block ({@link #journalBlock}), what is written now: the greatest position among its entries
     * (16), their summaries as an {@link EventBlock} body (the count, then each as what changed from the one
     * before), then each one's payload: {@link #INLINE} and its length (varint) and bytes, or {@link #BY_HASH}
     * and the hash. A flood of small writes took 150 bytes an entry in a {@link #JOURNAL_BLOCK}, 86 of them
     * fields, position and path; packed those are 5 or 6.
     */
    private static final byte JOURNAL_PACKED = 6;
    /** The payload's bytes follow. */
    private static final byte INLINE = 0;
    /** The payload's SHA-256 follows; its bytes are in the content store. */
    private static final byte BY_HASH = 1;

    private final Keyspace keyspace;

    private EventCodec(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    @Override
    public Keyspace keyspace() {
        return keyspace;
    }

    /**
     * A decoded entry; {@code payloadHash} is set when the payload is in the content store, and then the event's
     * payload is empty (its length field still says how many bytes were written).
     */
    record Decoded(JournalEntry entry, ContentHash payloadHash) {
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

    /**
     * The value of {@code e} up to its inline payload, which follows it: one journal entry alone, as the journal
     * was written before its blocks (still read, and written by tests of that).
     */
    static byte[] head(FsEvent e) {
        return fields(e, 1 + 4).put(INLINE).putInt(e.payload().length).array();
    }

    /**
     * One journal value for {@code events[from, to)} ({@link #JOURNAL_PACKED}), given sequences from
     * {@code firstSeq} on, each with its payload, or its payload's hash where {@code hashes} names one; {@code max}
     * is the greatest (time, sequence) among them. Its key is {@link #key} of the earliest time and {@code firstSeq}.
     */
    static byte[] journalBlock(List<FsEvent> events, ContentHash[] hashes, int from, int to, long firstSeq,
                               JournalPosition max) {
        int size = 1 + 16 + 10 + 64;
        for (int i = from; i < to; i++) {
            size += 8 + (hashes[i] != null ? 1 + ContentHash.LENGTH : 3 + events.get(i).payload().length);
        }
        ByteOut out = new ByteOut(size);
        out.b(JOURNAL_PACKED);
        out.fixed64(max.timeNs());
        out.fixed64(max.sequence());
        out.varint(to - from);
        EventBlock.Writer summaries = new EventBlock.Writer();
        for (int i = from; i < to; i++) {
            summaries.add(out, events.get(i), firstSeq + i - from);
        }
        for (int i = from; i < to; i++) {
            if (hashes[i] != null) {
                out.b(BY_HASH);
                out.bytes(hashes[i].toBytes());
            } else {
                out.b(INLINE);
                out.varint(events.get(i).payload().length);
                out.bytes(events.get(i).payload());
            }
        }
        return out.bytes();
    }

    /** Whether the value is a journal block rather than one entry. */
    static boolean isJournalBlock(byte[] value) {
        return value.length > 0 && (value[0] == JOURNAL_PACKED || value[0] == JOURNAL_BLOCK);
    }

    /** The greatest (time, sequence) a journal value holds: its block's, or the key's for a single entry. */
    JournalPosition journalMax(byte[] key, byte[] value) {
        checkKey(key);
        if (!isJournalBlock(value)) {
            return new JournalPosition(time(key), sequence(key));
        }
        if (value.length < 17) {
            throw new CorruptDataException(Schema.describe(keyspace, key), "a journal block of " + value.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(value, 1, 16);
        return new JournalPosition(b.getLong(), b.getLong());
    }

    /**
     * The entries of a journal value, a block or a single entry, in the order they were appended. Every entry of
     * a block is at or after its key's time and sequence, and at or before the greatest position it names.
     */
    List<Decoded> decodeJournal(byte[] key, byte[] value) {
        return decodeJournal(key, value, JournalPosition.START);
    }

    /**
     * As {@link #decodeJournal(byte[], byte[])}, without the entries before {@code from} (not decoded), in a list
     * the caller may change.
     */
    List<Decoded> decodeJournal(byte[] key, byte[] value, JournalPosition from) {
        if (!isJournalBlock(value)) {
            Decoded d = decode(key, value);
            List<Decoded> out = new ArrayList<>(1);
            if (d.entry().position().compareTo(from) >= 0) {
                out.add(d);
            }
            return out;
        }
        checkKey(key);
        long keyTime = time(key);
        long keySeq = sequence(key);
        if (value[0] == JOURNAL_PACKED) {
            return ValueReader.decode(keyspace, key, value, JOURNAL_PACKED, r -> {
                JournalPosition max = new JournalPosition(r.b.getLong(), r.b.getLong());
                List<JournalEntry> summaries = EventBlock.decode(r);
                if (summaries.isEmpty()) {
                    throw r.corrupt("an empty journal block");
                }
                List<Decoded> out = new ArrayList<>(summaries.size());
                for (JournalEntry s : summaries) {
                    JournalPosition at = s.position();
                    checkInBlock(r, at, keyTime, keySeq, max);
                    byte kind = r.b.get();
                    if (kind == BY_HASH) {
                        byte[] h = new byte[ContentHash.LENGTH];
                        r.b.get(h);
                        if (at.compareTo(from) >= 0) {
                            out.add(new Decoded(s, ContentHash.of(h)));
                        }
                    } else if (kind != INLINE) {
                        throw r.corrupt("unknown payload kind " + kind);
                    } else if (at.compareTo(from) < 0) {
                        int length = r.varCount(1);
                        r.b.position(r.b.position() + length);
                    } else {
                        FsEvent e = s.event();
                        out.add(new Decoded(new JournalEntry(s.sequence(), new FsEvent(e.timeNs(), e.pid(), e.tid(),
                                e.op(), e.path(), e.path2(), e.offset(), e.length(), e.mode(), r.varBytes(),
                                e.flags())), null));
                    }
                }
                return out;
            });
        }
        int recording = Schema.recordingOf(key);
        return ValueReader.decode(keyspace, key, value, JOURNAL_BLOCK, r -> {
            JournalPosition max = new JournalPosition(r.b.getLong(), r.b.getLong());
            int n = r.b.getInt();
            if (n <= 0 || n > r.b.remaining() / 20) {
                throw r.corrupt("bad block count " + n);
            }
            List<Decoded> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long t = r.b.getLong();
                long seq = r.b.getLong();
                JournalPosition at = new JournalPosition(t, seq);
                checkInBlock(r, at, keyTime, keySeq, max);
                if (at.compareTo(from) < 0) {
                    int length = r.count();
                    r.b.position(r.b.position() + length);
                    continue;
                }
                out.add(decode(key(recording, t, seq), r.bytes()));
            }
            return out;
        });
    }

    /** Every entry of a journal block is at or after its key's time and sequence, and at or before its greatest. */
    private static void checkInBlock(ValueReader r, JournalPosition at, long keyTime, long keySeq, JournalPosition max) {
        if (at.timeNs() < keyTime || at.sequence() < keySeq || at.compareTo(max) > 0) {
            throw r.corrupt("entry " + at + " outside its block's range");
        }
    }

    /** The value of {@code e} without its payload: what the event log keeps. */
    static byte[] summary(FsEvent e) {
        return fields(e, 1 + 4).put(INLINE).putInt(0).array();
    }

    /** One value holding the summaries of {@code entries}, in journal order, for the key of the first. */
    static byte[] block(List<JournalEntry> entries) {
        return EventBlock.encode(entries);
    }

    /** Whether the value is a block of summaries rather than one entry. */
    static boolean isBlock(byte[] value) {
        return value.length > 0 && (value[0] == BLOCK || value[0] == EventBlock.PACKED);
    }

    /** The entries of a block, in journal order. */
    List<JournalEntry> decodeBlock(byte[] key, byte[] value) {
        checkKey(key);
        if (value.length > 0 && value[0] == EventBlock.PACKED) {
            return ValueReader.decode(keyspace, key, value, EventBlock.PACKED, EventBlock::decode);
        }
        return ValueReader.decode(keyspace, key, value, BLOCK, r -> {
            int n = r.b.getInt();
            if (n < 0 || n > r.b.remaining() / 20) {
                throw r.corrupt("bad block count " + n);
            }
            List<JournalEntry> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long t = r.b.getLong();
                long seq = r.b.getLong();
                byte[] body = r.bytes();
                byte[] one = new byte[body.length + 1];
                one[0] = V2;
                System.arraycopy(body, 0, one, 1, body.length);
                out.add(new JournalEntry(seq, decode(key(Schema.recordingOf(key), t, seq), one).entry().event()));
            }
            return out;
        });
    }

    private static ByteBuffer fields(FsEvent e, int tail) {
        return putFields(ByteBuffer.allocate(fieldsSize(e) + tail), e);
    }

    private static int fieldsSize(FsEvent e) {
        return 1 + 1 + 4 + 4 + 4 + 8 + 8 + 4 + 4 + e.path().length + 4 + (e.path2() == null ? 0 : e.path2().length);
    }

    private static ByteBuffer putFields(ByteBuffer b, FsEvent e) {
        b.put(V2).put((byte) e.op().code()).putInt(e.flags()).putInt(e.pid()).putInt(e.tid()).putLong(e.offset())
                .putLong(e.length()).putInt(e.mode());
        b.putInt(e.path().length).put(e.path());
        if (e.path2() == null) {
            b.putInt(-1);
        } else {
            b.putInt(e.path2().length).put(e.path2());
        }
        return b;
    }

    private void checkKey(byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new CorruptDataException(Schema.describe(keyspace, key),
                    "an event key has " + KEY_LENGTH + " bytes, not " + key.length);
        }
    }

    /** The entry stored under {@code key}. */
    Decoded decode(byte[] key, byte[] value) {
        checkKey(key);
        long timeNs = time(key);
        byte version = value.length > 0 && value[0] == V1 ? V1 : V2;
        Object[] hash = {null};
        FsEvent event = ValueReader.decode(keyspace, key, value, version, r -> {
            Op op = Op.ofCode(r.b.get() & 0xFF);
            int flags = r.b.getInt();
            int pid = r.b.getInt();
            int tid = r.b.getInt();
            long offset = r.b.getLong();
            long length = r.b.getLong();
            int mode = r.b.getInt();
            byte[] path = r.bytes();
            byte[] path2 = r.nullableBytes();
            byte[] payload;
            byte kind = version == V1 ? INLINE : r.b.get();
            if (kind == INLINE) {
                payload = r.bytes();
            } else if (kind == BY_HASH) {
                byte[] h = new byte[ContentHash.LENGTH];
                r.b.get(h);
                hash[0] = ContentHash.of(h);
                payload = null;
            } else {
                throw r.corrupt("unknown payload kind " + kind);
            }
            return new FsEvent(timeNs, pid, tid, op, path, path2, offset, length, mode, payload, flags);
        });
        return new Decoded(new JournalEntry(sequence(key), event), (ContentHash) hash[0]);
    }

    @Override
    public void check(byte[] key, byte[] value) {
        if (isJournalBlock(value)) {
            decodeJournal(key, value);
        } else if (isBlock(value)) {
            decodeBlock(key, value);
        } else {
            decode(key, value);
        }
    }

    /** A journal entry's payload, when it is in the content store, must stay there until the entry is compacted. */
    @Override
    public void references(byte[] key, byte[] value, java.util.function.Consumer<ContentHash> out) {
        if (isBlock(value)) {
            return; // summaries carry no payload
        }
        for (Decoded d : decodeJournal(key, value)) {
            if (d.payloadHash() != null) {
                out.accept(d.payloadHash());
            }
        }
    }
}
