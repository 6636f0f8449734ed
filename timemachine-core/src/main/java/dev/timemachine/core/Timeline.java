package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.TimeMachineStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The events of one recording in journal order: the summaries of what is compacted (the event log) merged with
 * what is only in the journal so far, so the timeline is whole however far compaction got.
 */
final class Timeline {
    private Timeline() {
    }

    /**
     * Visits the events stamped in {@code [fromNs, toNs]}, oldest first, until the visitor returns false.
     * Payloads are dropped.
     */
    static void scan(TimeMachineStore store, int recording, long fromNs, long toNs, Predicate<TimelineEvent> visitor) {
        JournalPosition start = new JournalPosition(fromNs, Long.MIN_VALUE);
        // Not compacted yet: in the journal, past its trim point; few, since compaction keeps up.
        List<JournalEntry> pending = new ArrayList<>();
        var journal = store.journal(recording);
        JournalPosition trimmed = journal.trimmedTo();
        journal.scan(start.compareTo(trimmed) > 0 ? start : trimmed, e -> {
            if (e.event().timeNs() > toNs) {
                return false;
            }
            FsEvent ev = e.event();
            pending.add(new JournalEntry(e.sequence(), new FsEvent(ev.timeNs(), ev.pid(), ev.tid(), ev.op(), ev.path(),
                    ev.path2(), ev.offset(), ev.length(), ev.mode(), null, ev.flags())));
            return true;
        });
        int[] next = {0};
        boolean[] stopped = {false};
        store.events(recording).scan(start, e -> {
            if (e.event().timeNs() > toNs) {
                return false;
            }
            while (next[0] < pending.size() && pending.get(next[0]).position().compareTo(e.position()) <= 0) {
                JournalEntry p = pending.get(next[0]++);
                // an entry in both (compacted, trim not yet written) is shown once, as compacted
                if (p.position().compareTo(e.position()) < 0 && !visitor.test(new TimelineEvent(p, false))) {
                    stopped[0] = true;
                    return false;
                }
            }
            if (!visitor.test(new TimelineEvent(e, true))) {
                stopped[0] = true;
                return false;
            }
            return true;
        });
        for (int i = next[0]; i < pending.size() && !stopped[0]; i++) {
            if (!visitor.test(new TimelineEvent(pending.get(i), false))) {
                return;
            }
        }
    }
}
