package dev.timemachine.core.record;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The newest journal entries, kept in memory as they are appended, so that the compactor gets them without
 * reading them back from the journal. The journal stays the record: when more than {@code maxBytes} wait
 * here, what is held is dropped and the compactor reads that part from the journal instead. Thread-safe: the
 * appender adds, the compactor takes.
 */
final class JournalTail {
    /** What an entry costs beyond its payload, roughly (event, entry, paths, list slot). */
    private static final long ENTRY_OVERHEAD = 160;

    private final long maxBytes;
    private List<JournalEntry> entries = new ArrayList<>();
    private long bytes;
    /** Entries stamped at or before this time may be missing: they were dropped when the tail was full. */
    private long missingUpTo = Long.MIN_VALUE;

    JournalTail(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Holds events the journal has just appended, {@code lastSequence} being what its append returned (the
     * journal numbers a batch's events consecutively, in order).
     */
    synchronized void appended(List<FsEvent> events, long lastSequence) {
        long seq = lastSequence - events.size() + 1;
        for (FsEvent e : events) {
            entries.add(new JournalEntry(seq++, e));
            bytes += cost(e);
        }
        if (bytes > maxBytes) {
            for (JournalEntry e : entries) {
                missingUpTo = Math.max(missingUpTo, e.event().timeNs());
            }
            entries = new ArrayList<>();
            bytes = 0;
        }
    }

    /**
     * Removes the entries stamped at or before {@code upTo} and returns them in journal order, or returns null
     * when some of the entries stamped after {@code compactedUpTo} may be missing (then the journal must be
     * read up to {@code upTo}, and the held ones are dropped all the same).
     */
    synchronized List<JournalEntry> take(long compactedUpTo, long upTo) {
        List<JournalEntry> taken = new ArrayList<>();
        List<JournalEntry> kept = new ArrayList<>();
        for (JournalEntry e : entries) {
            if (e.event().timeNs() <= upTo) {
                taken.add(e);
                bytes -= cost(e.event());
            } else {
                kept.add(e);
            }
        }
        entries = kept;
        if (compactedUpTo < missingUpTo) {
            return null;
        }
        taken.sort(Comparator.comparing(JournalEntry::position));
        return taken;
    }

    private static long cost(FsEvent e) {
        return e.payload().length + e.path().length + ENTRY_OVERHEAD;
    }
}
