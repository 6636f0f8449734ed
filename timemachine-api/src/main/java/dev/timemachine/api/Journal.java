package dev.timemachine.api;

import java.util.List;
import java.util.function.Predicate;

/**
 * Stage 1 of the pipeline: the append-only log of raw events of one recording.
 *
 * <p>Order: entries are scanned in (timestamp, sequence) order, whatever order they were appended in; the
 * journal gives each appended event the next sequence number, so events with equal timestamps keep their
 * append order.
 *
 * <p>Durability: when {@link #append} returns, the events survive a crash of the process (the engine's
 * write-ahead log holds them); they survive power loss only after {@link #sync}.
 *
 * <p>Thread-safety: one thread appends and trims at a time; scans may run concurrently with appends and see
 * a consistent prefix of each appended batch or the whole batch.
 */
public interface Journal {

    /**
     * Appends a batch atomically: after a crash either all of it is there or none of it.
     *
     * @return the sequence number given to the last event, or {@link #lastSequence()} if the batch is empty
     */
    long append(List<FsEvent> events);

    /** The highest sequence number given so far (0 before the first append). */
    long lastSequence();

    /**
     * Visits entries from {@code from} (inclusive) in journal order until {@code visitor} returns false or the
     * journal ends. Trimmed entries are never visited.
     *
     * @return how many entries were visited
     * @throws CorruptDataException if an entry cannot be decoded
     */
    long scan(JournalPosition from, Predicate<JournalEntry> visitor);

    /**
     * Deletes every entry before {@code upTo} (exclusive). Later scans start at the trim point without
     * iterating over the deleted range, so an event appended later with a position before the trim point is
     * never visited: callers trim only behind the watermark past which no event can still arrive.
     */
    void trim(JournalPosition upTo);

    /** Everything before this position has been trimmed ({@link JournalPosition#START} if nothing was). */
    JournalPosition trimmedTo();

    /** Makes every appended event durable against power loss. */
    void sync();
}
