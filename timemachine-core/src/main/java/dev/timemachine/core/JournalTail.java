package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest journal entries, kept in memory as they are appended, so that the compactor gets them without
 * reading them back from the journal. A payload the journal stored in the content store is not kept (the
 * compactor needs its hash, rarely its bytes): what waits here is small. The journal stays the record: once
 * {@code maxBytes} wait here, newer entries are not kept until the compactor has caught up with them, and it
 * reads those from the journal.
 *
 * <p>Thread-safe: the appender adds, the compactor takes. The appender holds the lock only to add its batch;
 * the compactor only to take what was added since, and sorts it out without the lock, so neither waits on the
 * other's work.
 */
final class JournalTail {
    /** What an entry costs beyond its payload and path, roughly (event, entry, list slot). */
    private static final long ENTRY_OVERHEAD = 160;

    /**
     * A journaled entry as the compactor gets it.
     *
     * @param entry         the entry; its event's payload is empty when {@code payloadHash} is set
     * @param payloadHash   the hash under which the journal stored the payload in the content store, or null
     * @param payloadLength the payload's length, whether or not the bytes are here
     */
    record Held(JournalEntry entry, ContentHash payloadHash, int payloadLength) {
        static Held of(JournalEntry entry, ContentHash payloadHash) {
            return new Held(entry, payloadHash, entry.event().payload().length);
        }
    }

    /**
     * Entries to compact, in journal order; if not {@code complete}, the journal holds more up to the
     * requested time, after the last of these.
     */
    record Taken(List<Held> entries, boolean complete) {
    }

    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();
    /** Added since the compactor last took; guarded by this. */
    private List<Held> incoming = new ArrayList<>();
    /** The range of times of the entries left out since the tail was last full; empty when none are. Guarded. */
    private long droppedFrom = Long.MAX_VALUE;
    private long droppedTo = Long.MIN_VALUE;
    /** Taken from {@link #incoming} but stamped after what was asked for so far: the compactor's alone. */
    private List<Held> later = new ArrayList<>();

    JournalTail(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Holds events the journal has just appended, {@code lastSequence} being what its append returned (the
     * journal numbers a batch's events consecutively, in order) and {@code payloadHashes} where it stored their
     * payloads.
     */
    synchronized void appended(List<FsEvent> events, long lastSequence, ContentHash[] payloadHashes) {
        long seq = lastSequence - events.size() + 1;
        long added = 0; // one atomic add for the batch; what the compactor frees meanwhile is seen next time
        long held = bytes.get();
        for (int i = 0; i < events.size(); i++) {
            FsEvent e = events.get(i);
            ContentHash h = payloadHashes[i];
            FsEvent kept = h == null ? e : new FsEvent(e.timeNs(), e.pid(), e.tid(), e.op(), e.path(), e.path2(),
                    e.offset(), e.length(), e.mode(), null, e.flags());
            long cost = cost(kept);
            if (dropping() || held + added + cost > maxBytes) {
                droppedFrom = Math.min(droppedFrom, e.timeNs());
                droppedTo = Math.max(droppedTo, e.timeNs());
            } else {
                incoming.add(new Held(new JournalEntry(seq, kept), h, e.payload().length));
                added += cost;
            }
            seq++;
        }
        bytes.addAndGet(added);
    }

    /**
     * Removes the entries stamped after {@code compactedUpTo} and at or before {@code upTo}; returns those
     * held with nothing left out before them, the rest being for the journal to supply. Called by the
     * compactor thread only.
     *
     * @param compactedUpTo the time up to which every entry has been compacted
     */
    Taken take(long compactedUpTo, long upTo) {
        List<Held> fresh;
        long complete;
        synchronized (this) {
            if (dropping() && compactedUpTo >= droppedTo) {
                // everything left out is compacted: hold new entries again
                droppedFrom = Long.MAX_VALUE;
                droppedTo = Long.MIN_VALUE;
            }
            complete = dropping() ? Math.min(upTo, droppedFrom - 1) : upTo;
            fresh = incoming;
            incoming = new ArrayList<>();
        }
        List<Held> taken = new ArrayList<>();
        List<Held> stillLater = new ArrayList<>();
        long freed = 0;
        for (List<Held> list : List.of(later, fresh)) {
            for (Held h : list) {
                long t = h.entry().event().timeNs();
                if (t > upTo) {
                    stillLater.add(h);
                } else {
                    freed += cost(h.entry().event());
                    if (t <= complete) {
                        taken.add(h);
                    }
                }
            }
        }
        later = stillLater;
        bytes.addAndGet(-freed);
        taken.sort(JOURNAL_ORDER); // mostly in order already, which TimSort finds in a pass
        return new Taken(taken, complete == upTo);
    }

    /** Journal order, (time, sequence), without making a position for each comparison. */
    private static final Comparator<Held> JOURNAL_ORDER = (a, b) -> {
        int byTime = Long.compare(a.entry().event().timeNs(), b.entry().event().timeNs());
        return byTime != 0 ? byTime : Long.compare(a.entry().sequence(), b.entry().sequence());
    };

    /** Whether appended entries are being left out until the compactor is past those already left out. */
    private boolean dropping() {
        return droppedTo != Long.MIN_VALUE;
    }

    private static long cost(FsEvent e) {
        return e.payload().length + e.path().length + ENTRY_OVERHEAD;
    }
}
