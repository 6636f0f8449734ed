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
        this.end = Keys.prefixEnd(Keys.recordingPrefix(recording));
        byte[] stateKey = Keys.journalState(recording);
        byte[] state = kv.get(Keyspace.META, stateKey);
        if (state != null) {
            long[] t = Values.journalState(stateKey, state);
            trimmedTo = new JournalPosition(t[0], t[1]);
            lastSeq = t[2];
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
                batch.put(Keyspace.JOURNAL, Keys.journal(recording, e.timeNs(), seq), Values.eventHead(e), e.payload());
            }
            // Sequences are not in key order (time comes first), so the last one is kept beside the entries,
            // in the same atomic batch.
            batch.put(Keyspace.META, Keys.journalState(recording), state(trimmedTo, seq));
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
                byte[] key = c.key();
                JournalEntry entry = new JournalEntry(Keys.journalSeq(key),
                        Values.event(key, c.value(), Keys.journalTime(key)));
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
            batch.deleteRange(Keyspace.JOURNAL, Keys.recordingPrefix(recording), startKey(upTo));
            batch.put(Keyspace.META, Keys.journalState(recording), state(upTo, lastSeq));
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
        return Values.journalState(trimmed.timeNs(), trimmed.sequence(), lastSeq);
    }

    private byte[] startKey(JournalPosition p) {
        return Keys.journal(recording, p.timeNs(), p.sequence());
    }
}
