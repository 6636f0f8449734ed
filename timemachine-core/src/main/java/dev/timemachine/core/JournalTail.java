package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The newest journal entries, kept in memory as they are appended, so that the compactor gets them without
 * reading them back from the journal. The journal stays the record: once {@code maxBytes} wait here, newer
 * entries are not kept until the compactor has caught up with them, and it reads those from the journal.
 * Thread-safe: the appender adds, the compactor takes.
 */
final class JournalTail {
    /** What an entry costs beyond its payload and path, roughly (event, entry, list slot). */
    private static final long ENTRY_OVERHEAD = 160;

    /**
     * Entries to compact, in journal order; if not {@code complete}, the journal holds more up to the
     * requested time, after the last of these.
     */
    record Taken(List<JournalEntry> entries, Map<byte[], ContentHash> hashes, boolean complete) {
    }

    private final long maxBytes;
    private List<JournalEntry> entries = new ArrayList<>();
    /** The hash of each held payload the journal keeps in the content store, by identity of the payload array. */
    private Map<byte[], ContentHash> hashes = new IdentityHashMap<>();
    private long bytes;
    /** The range of times of the entries left out since the tail was last full; empty when none are. */
    private long droppedFrom = Long.MAX_VALUE;
    private long droppedTo = Long.MIN_VALUE;

    JournalTail(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Holds events the journal has just appended, {@code lastSequence} being what its append returned (the
     * journal numbers a batch's events consecutively, in order).
     */
    synchronized void appended(List<FsEvent> events, long lastSequence, ContentHash[] payloadHashes) {
        long seq = lastSequence - events.size() + 1;
        for (int i = 0; i < events.size(); i++) {
            FsEvent e = events.get(i);
            if (dropping() || bytes + cost(e) > maxBytes) {
                droppedFrom = Math.min(droppedFrom, e.timeNs());
                droppedTo = Math.max(droppedTo, e.timeNs());
            } else {
                entries.add(new JournalEntry(seq, e));
                if (payloadHashes[i] != null) {
                    hashes.put(e.payload(), payloadHashes[i]);
                }
                bytes += cost(e);
            }
            seq++;
        }
    }

    /**
     * Removes the entries stamped after {@code compactedUpTo} and at or before {@code upTo}; returns those
     * held with nothing left out before them, the rest being for the journal to supply.
     *
     * @param compactedUpTo the time up to which every entry has been compacted
     */
    synchronized Taken take(long compactedUpTo, long upTo) {
        if (dropping() && compactedUpTo >= droppedTo) {
            // everything left out is compacted: hold new entries again
            droppedFrom = Long.MAX_VALUE;
            droppedTo = Long.MIN_VALUE;
        }
        long complete = dropping() ? Math.min(upTo, droppedFrom - 1) : upTo;
        List<JournalEntry> taken = new ArrayList<>();
        List<JournalEntry> kept = new ArrayList<>();
        Map<byte[], ContentHash> takenHashes = new IdentityHashMap<>();
        Map<byte[], ContentHash> keptHashes = new IdentityHashMap<>();
        for (JournalEntry e : entries) {
            long t = e.event().timeNs();
            ContentHash h = hashes.get(e.event().payload());
            if (t > upTo) {
                kept.add(e);
                if (h != null) {
                    keptHashes.put(e.event().payload(), h);
                }
            } else {
                bytes -= cost(e.event());
                if (t <= complete) {
                    taken.add(e);
                    if (h != null) {
                        takenHashes.put(e.event().payload(), h);
                    }
                }
            }
        }
        entries = kept;
        hashes = keptHashes;
        taken.sort(Comparator.comparing(JournalEntry::position));
        return new Taken(taken, takenHashes, complete == upTo);
    }

    /** Whether appended entries are being left out until the compactor is past those already left out. */
    private boolean dropping() {
        return droppedTo != Long.MIN_VALUE;
    }

    private static long cost(FsEvent e) {
        return e.payload().length + e.path().length + ENTRY_OVERHEAD;
    }
}
