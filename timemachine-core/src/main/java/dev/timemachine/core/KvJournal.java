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
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The journal of one recording over the {@code l:} keyspace. A payload larger than
 * {@link VersionWriter#INLINE_MAX} goes to the content store as it is journaled (its bytes appended once to the
 * payload log, or not at all when the same bytes are stored already) and the entry names it by its hash; the
 * compactor then indexes it without writing the bytes again. Smaller payloads stay in their entry.
 *
 * <p>The entries of one append are stored together, in blocks keyed by their earliest time and first sequence,
 * and a scan merges them back into time order (docs/storage.md, "Keyspaces").
 */
final class KvJournal implements Journal {
    private final KeyValueStore kv;
    private final KvContentStore content;
    private final int recording;
    private final byte[] end;
    /** Entries appended together are stored together, in values of at most this many. */
    private static final int BLOCK_ENTRIES = 1_024;
    private static final Comparator<EventCodec.Decoded> IN_ORDER = Comparator
            .comparingLong((EventCodec.Decoded d) -> d.entry().event().timeNs())
            .thenComparingLong(d -> d.entry().sequence());
    private volatile JournalPosition trimmedTo = JournalPosition.START;
    /** See {@link #live()}; guarded by this. */
    private TreeMap<JournalPosition, JournalPosition> live;
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
        TreeMap<JournalPosition, JournalPosition> blocks = live();
        long seq = lastSeq;
        Map<JournalPosition, JournalPosition> added = new HashMap<>();
        try (KvBatch batch = kv.batch()) {
            for (int from = 0; from < events.size(); from += BLOCK_ENTRIES) {
                int to = Math.min(events.size(), from + BLOCK_ENTRIES);
                long first = seq + 1;
                long minTime = Long.MAX_VALUE;
                long maxTime = Long.MIN_VALUE;
                long maxSeq = first;
                for (int i = from; i < to; i++) {
                    FsEvent e = events.get(i);
                    seq++;
                    if (storesPayload(e)) {
                        hashes[i] = content.stagePayload(batch, e.payload());
                    }
                    minTime = Math.min(minTime, e.timeNs());
                    if (e.timeNs() >= maxTime) { // sequences rise, so the later of equal times is the greater
                        maxTime = e.timeNs();
                        maxSeq = seq;
                    }
                }
                JournalPosition max = new JournalPosition(maxTime, maxSeq);
                batch.put(Keyspace.JOURNAL, EventCodec.key(recording, minTime, first),
                        EventCodec.journalBlock(events, hashes, from, to, first, max));
                added.put(new JournalPosition(minTime, first), max);
            }
            // Sequences are not in key order (time comes first), so the last one is kept beside the entries,
            // in the same atomic batch.
            batch.put(Keyspace.META, MetaCodec.journalStateKey(recording), state(trimmedTo, seq));
            content.flushPayloads();
            batch.commit();
        } catch (RuntimeException e) {
            content.forgetRecent(); // payloads it staged are not stored after all
            throw e;
        }
        blocks.putAll(added);
        lastSeq = seq;
        return seq;
    }

    /**
     * The journal's keys in key order, each with the greatest position its value holds; read from the journal
     * the first time it is needed.
     */
    private synchronized TreeMap<JournalPosition, JournalPosition> live() {
        if (live == null) {
            TreeMap<JournalPosition, JournalPosition> found = new TreeMap<>();
            try (KvCursor c = kv.scan(Keyspace.JOURNAL, Schema.recordingPrefix(recording), end)) {
                while (c.next()) {
                    found.put(new JournalPosition(EventCodec.time(c.key()), EventCodec.sequence(c.key())),
                            EventCodec.JOURNAL.journalMax(c.key(), c.value()));
                }
            }
            live = found;
        }
        return live;
    }

    /**
     * The first key left whose value holds an entry at or after {@code p}, or null if none does: every key before
     * it holds only earlier entries.
     */
    private synchronized JournalPosition firstHolding(JournalPosition p) {
        for (Map.Entry<JournalPosition, JournalPosition> block : live().entrySet()) {
            if (block.getValue().compareTo(p) >= 0) {
                return block.getKey();
            }
        }
        return null;
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
        // Every entry under a key is at or after the key's time, so once the keys have passed a time, every entry
        // before it has been read: those are visited in order, the rest wait (about one append's worth). Each
        // value's entries are sorted as read (they are nearly in order already) and merged into those waiting.
        ArrayDeque<EventCodec.Decoded> waiting = new ArrayDeque<>();
        long visited = 0;
        JournalPosition first = firstHolding(start);
        try (KvCursor c = kv.scan(Keyspace.JOURNAL, startKey(first != null ? first : start), end)) {
            while (c.next()) {
                long keyTime = EventCodec.time(c.key());
                while (!waiting.isEmpty() && waiting.peekFirst().entry().event().timeNs() < keyTime) {
                    visited++;
                    if (!visit(waiting.pollFirst(), visitor)) {
                        return visited;
                    }
                }
                List<EventCodec.Decoded> read = EventCodec.JOURNAL.decodeJournal(c.key(), c.value(), start);
                read.sort(IN_ORDER);
                waiting = merged(waiting, read);
            }
        }
        while (!waiting.isEmpty()) {
            visited++;
            if (!visit(waiting.pollFirst(), visitor)) {
                break;
            }
        }
        return visited;
    }

    /** {@code waiting} and {@code read}, each in order, as one in order; {@code waiting} itself when it can be. */
    private static ArrayDeque<EventCodec.Decoded> merged(ArrayDeque<EventCodec.Decoded> waiting,
                                                         List<EventCodec.Decoded> read) {
        if (waiting.isEmpty() || read.isEmpty() || IN_ORDER.compare(waiting.peekLast(), read.get(0)) <= 0) {
            waiting.addAll(read);
            return waiting;
        }
        ArrayDeque<EventCodec.Decoded> out = new ArrayDeque<>(waiting.size() + read.size());
        int i = 0;
        while (!waiting.isEmpty() && i < read.size()) {
            out.add(IN_ORDER.compare(waiting.peekFirst(), read.get(i)) <= 0 ? waiting.pollFirst() : read.get(i++));
        }
        out.addAll(waiting);
        out.addAll(read.subList(i, read.size()));
        return out;
    }

    private boolean visit(EventCodec.Decoded d, BiPredicate<JournalEntry, ContentHash> visitor) {
        JournalEntry entry = d.entry();
        if (d.payloadHash() != null) {
            FsEvent e = entry.event();
            entry = new JournalEntry(entry.sequence(), new FsEvent(e.timeNs(), e.pid(), e.tid(), e.op(), e.path(),
                    e.path2(), e.offset(), e.length(), e.mode(), content.get(d.payloadHash()), e.flags()));
        }
        return visitor.test(entry, d.payloadHash());
    }

    @Override
    public synchronized void trim(JournalPosition upTo) {
        if (upTo.compareTo(trimmedTo) <= 0) {
            return;
        }
        // The keys before the first that still holds an entry at or after upTo go: that one keeps its earlier
        // entries too, which scans skip, until it goes.
        JournalPosition kept = firstHolding(upTo);
        SortedMap<JournalPosition, JournalPosition> gone = kept == null ? live() : live().headMap(kept);
        try (KvBatch batch = kv.batch()) {
            if (!gone.isEmpty()) {
                // From the first key left, not from the recording's start: everything before it is gone already,
                // and ranges that do not overlap keep RocksDB's iterators cheap to open (each one sorts the range
                // tombstones in the memtable, and overlapping ones pile up: docs/storage.md, "Pitfalls of the engines").
                batch.deleteRange(Keyspace.JOURNAL, startKey(gone.firstKey()), startKey(kept != null ? kept : upTo));
            }
            batch.put(Keyspace.META, MetaCodec.journalStateKey(recording), state(upTo, lastSeq));
            batch.commit();
        }
        gone.clear();
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
