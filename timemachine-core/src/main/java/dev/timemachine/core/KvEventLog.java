package dev.timemachine.core;

import dev.timemachine.api.EventLog;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.util.List;
import java.util.function.Predicate;

/** Event summaries of one recording over the {@code e:} keyspace; keys and values as in the journal. */
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
        try (KvBatch batch = kv.batch()) {
            for (JournalEntry entry : entries) {
                FsEvent e = entry.event();
                batch.put(Keyspace.EVENTS, EventCodec.key(recording, e.timeNs(), entry.sequence()), EventCodec.summary(e));
            }
            batch.commit();
        }
    }

    @Override
    public long scan(JournalPosition from, Predicate<JournalEntry> visitor) {
        long visited = 0;
        byte[] start = EventCodec.key(recording, from.timeNs(), from.sequence());
        try (KvCursor c = kv.scan(Keyspace.EVENTS, start, Schema.prefixEnd(Schema.recordingPrefix(recording)))) {
            while (c.next()) {
                visited++;
                if (!visitor.test(EventCodec.EVENTS.decode(c.key(), c.value()).entry())) {
                    break;
                }
            }
        }
        return visited;
    }
}
