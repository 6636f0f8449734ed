package dev.timemachine.core;

import dev.timemachine.api.EventLog;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.util.List;
import java.util.function.Predicate;

/**
 * Event summaries of one recording over the {@code e:} keyspace: one block per append, keyed as the journal
 * entry it starts with ({@link EventCodec#block}); single entries of older state dirs are read as well.
 */
final class KvEventLog implements EventLog {
    private final KeyValueStore kv;
    private final int recording;

    KvEventLog(KeyValueStore kv, int recording) {
        this.kv = kv;
        this.recording = recording;
    }

    @Override
    public void append(List<JournalEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        JournalEntry first = entries.get(0);
        try (KvBatch batch = kv.batch()) {
            // A chunk compacted again after a crash starts at the same entry and holds at least as many: its
            // block replaces the first one.
            batch.put(Keyspace.EVENTS, EventCodec.key(recording, first.event().timeNs(), first.sequence()),
                    EventCodec.block(entries));
            batch.commit();
        }
    }

    @Override
    public long scan(JournalPosition from, Predicate<JournalEntry> visitor) {
        long visited = 0;
        byte[] prefix = Schema.recordingPrefix(recording);
        byte[] start = EventCodec.key(recording, from.timeNs(), from.sequence());
        // The block holding `from` may start before it: begin with the last block that starts at or before it.
        byte[] begin = lastKeyBefore(prefix, start);
        JournalPosition last = null;
        try (KvCursor c = kv.scan(Keyspace.EVENTS, begin != null ? begin : start, Schema.prefixEnd(prefix))) {
            while (c.next()) {
                List<JournalEntry> entries = EventCodec.isBlock(c.value()) ? EventCodec.EVENTS.decodeBlock(c.key(), c.value())
                        : List.of(EventCodec.EVENTS.decode(c.key(), c.value()).entry());
                for (JournalEntry e : entries) {
                    JournalPosition p = e.position();
                    if (p.compareTo(from) < 0 || (last != null && p.compareTo(last) <= 0)) {
                        continue;
                    }
                    last = p;
                    visited++;
                    if (!visitor.test(e)) {
                        return visited;
                    }
                }
            }
        }
        return visited;
    }

    /** The greatest key of this recording's log before {@code key}, or null: blocks are few, keys are scanned. */
    private byte[] lastKeyBefore(byte[] prefix, byte[] key) {
        byte[] found = null;
        try (KvCursor c = kv.scan(Keyspace.EVENTS, prefix, key)) {
            while (c.next()) {
                found = c.key();
            }
        }
        return found;
    }
}
