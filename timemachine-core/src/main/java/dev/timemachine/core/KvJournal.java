package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Journal;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.util.List;
import java.util.function.Predicate;

/** The journal of one recording over the {@code l:} keyspace. */
final class KvJournal implements Journal {
    private final KeyValueStore kv;
    private final int recording;
    private final byte[] end;
    private volatile JournalPosition trimmedTo = JournalPosition.START;
    private long lastSeq;

    KvJournal(KeyValueStore kv, int recording) {
        this.kv = kv;
        this.recording = recording;
        this.end = Schema.prefixEnd(Schema.recordingPrefix(recording));
        byte[] stateKey = MetaCodec.journalStateKey(recording);
        byte[] state = kv.get(Keyspace.META, stateKey);
        if (state != null) {
            MetaCodec.JournalState s = MetaCodec.journalState(stateKey, state);
            trimmedTo = new JournalPosition(s.trimTimeNs(), s.trimSequence());
            lastSeq = s.lastSequence();
        }
    }

    @Override
    public synchronized long append(List<FsEvent> events) {
        if (events.isEmpty()) {
            return lastSeq;
        }
        long seq = lastSeq;
        try (KvBatch batch = kv.batch()) {
            for (FsEvent e : events) {
                seq++;
                batch.put(Keyspace.JOURNAL, EventCodec.key(recording, e.timeNs(), seq), EventCodec.head(e), e.payload());
            }
            // Sequences are not in key order (time comes first), so the last one is kept beside the entries,
            // in the same atomic batch.
            batch.put(Keyspace.META, MetaCodec.journalStateKey(recording), state(trimmedTo, seq));
            batch.commit();
        }
        lastSeq = seq;
        return seq;
    }

    @Override
    public synchronized long lastSequence() {
        return lastSeq;
    }

    @Override
    public long scan(JournalPosition from, Predicate<JournalEntry> visitor) {
        JournalPosition start = from.compareTo(trimmedTo) < 0 ? trimmedTo : from;
        long visited = 0;
        try (KvCursor c = kv.scan(Keyspace.JOURNAL, startKey(start), end)) {
            while (c.next()) {
                JournalEntry entry = EventCodec.JOURNAL.entry(c.key(), c.value());
                visited++;
                if (!visitor.test(entry)) {
                    break;
                }
            }
        }
        return visited;
    }

    @Override
    public synchronized void trim(JournalPosition upTo) {
        if (upTo.compareTo(trimmedTo) <= 0) {
            return;
        }
        try (KvBatch batch = kv.batch()) {
            batch.deleteRange(Keyspace.JOURNAL, Schema.recordingPrefix(recording), startKey(upTo));
            batch.put(Keyspace.META, MetaCodec.journalStateKey(recording), state(upTo, lastSeq));
            batch.commit();
        }
        trimmedTo = upTo;
    }

    @Override
    public JournalPosition trimmedTo() {
        return trimmedTo;
    }

    @Override
    public void sync() {
        kv.sync();
    }

    private static byte[] state(JournalPosition trimmed, long lastSeq) {
        return MetaCodec.journalStateValue(new MetaCodec.JournalState(trimmed.timeNs(), trimmed.sequence(), lastSeq));
    }

    private byte[] startKey(JournalPosition p) {
        return EventCodec.key(recording, p.timeNs(), p.sequence());
    }
}
