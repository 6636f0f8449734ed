package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Journal;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.Op;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The journal of one recording over the {@code l:} keyspace. A payload larger than
 * {@link VersionWriter#INLINE_MAX} goes to the content store as it is journaled (its bytes appended once to the
 * payload log, or not at all when the same bytes are stored already) and the entry names it by its hash; the
 * compactor then indexes it without writing the bytes again. Smaller payloads stay in their entry.
 */
final class KvJournal implements Journal {
    private final KeyValueStore kv;
    private final KvContentStore content;
    private final int recording;
    private final byte[] end;
    private volatile JournalPosition trimmedTo = JournalPosition.START;
    private long lastSeq;

    KvJournal(KeyValueStore kv, KvContentStore content, int recording) {
        this.kv = kv;
        this.content = content;
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

    /** Whether the journal keeps this event's payload in the content store rather than in its entry. */
    static boolean storesPayload(FsEvent e) {
        return e.op() == Op.WRITE && e.payload().length > VersionWriter.INLINE_MAX;
    }

    @Override
    public long append(List<FsEvent> events) {
        return append(events, new ContentHash[events.size()]);
    }

    /**
     * Appends as {@link #append(List)} does and tells, in {@code hashes}, the hash under which each payload the
     * content store keeps is stored (null for the others).
     */
    synchronized long append(List<FsEvent> events, ContentHash[] hashes) {
        if (events.isEmpty()) {
            return lastSeq;
        }
        long seq = lastSeq;
        try (KvBatch batch = kv.batch()) {
            seq = stage(batch, events, hashes, seq);
            content.flushPayloads();
            batch.commit();
        } catch (RuntimeException e) {
            content.forgetRecent(); // payloads it staged are not stored after all
            throw e;
        }
        lastSeq = seq;
        return seq;
    }

    private long stage(KvBatch batch, List<FsEvent> events, ContentHash[] hashes, long seq) {
        {
            for (int i = 0; i < events.size(); i++) {
                FsEvent e = events.get(i);
                seq++;
                byte[] key = EventCodec.key(recording, e.timeNs(), seq);
                if (storesPayload(e)) {
                    hashes[i] = content.stagePayload(batch, e.payload());
                    batch.put(Keyspace.JOURNAL, key, EventCodec.byHash(e, hashes[i]));
                } else {
                    batch.put(Keyspace.JOURNAL, key, EventCodec.head(e), e.payload());
                }
            }
            // Sequences are not in key order (time comes first), so the last one is kept beside the entries,
            // in the same atomic batch.
            batch.put(Keyspace.META, MetaCodec.journalStateKey(recording), state(trimmedTo, seq));
        }
        return seq;
    }

    @Override
    public synchronized long lastSequence() {
        return lastSeq;
    }

    @Override
    public long scan(JournalPosition from, Predicate<JournalEntry> visitor) {
        return scan(from, (entry, hash) -> visitor.test(entry));
    }

    /**
     * Visits entries as {@link #scan(JournalPosition, Predicate)} does, with the hash of each payload the content
     * store keeps (null for the others).
     */
    long scan(JournalPosition from, BiPredicate<JournalEntry, ContentHash> visitor) {
        JournalPosition start = from.compareTo(trimmedTo) < 0 ? trimmedTo : from;
        long visited = 0;
        try (KvCursor c = kv.scan(Keyspace.JOURNAL, startKey(start), end)) {
            while (c.next()) {
                EventCodec.Decoded d = EventCodec.JOURNAL.decode(c.key(), c.value());
                JournalEntry entry = d.entry();
                if (d.payloadHash() != null) {
                    FsEvent e = entry.event();
                    entry = new JournalEntry(entry.sequence(), new FsEvent(e.timeNs(), e.pid(), e.tid(), e.op(),
                            e.path(), e.path2(), e.offset(), e.length(), e.mode(), content.get(d.payloadHash()), e.flags()));
                }
                visited++;
                if (!visitor.test(entry, d.payloadHash())) {
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
            // From the last trim point, not from the recording's start: everything before it is gone already,
            // and ranges that do not overlap keep RocksDB's iterators cheap to open (each one sorts the range
            // tombstones in the memtable, and overlapping ones pile up: docs/storage.md, "Pitfalls of the engines").
            batch.deleteRange(Keyspace.JOURNAL, startKey(trimmedTo), startKey(upTo));
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
        content.syncPayloads();
        kv.sync();
    }

    private static byte[] state(JournalPosition trimmed, long lastSeq) {
        return MetaCodec.journalStateValue(new MetaCodec.JournalState(trimmed.timeNs(), trimmed.sequence(), lastSeq));
    }

    private byte[] startKey(JournalPosition p) {
        return EventCodec.key(recording, p.timeNs(), p.sequence());
    }
}
