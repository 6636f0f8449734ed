package dev.timemachine.api;

/**
 * A place in a journal: events are ordered by timestamp, and events with equal timestamps by sequence.
 *
 * @param timeNs   CLOCK_MONOTONIC nanoseconds
 * @param sequence the journal-assigned sequence number
 */
public record JournalPosition(long timeNs, long sequence) implements Comparable<JournalPosition> {
    /** Before every event. */
    public static final JournalPosition START = new JournalPosition(Long.MIN_VALUE, Long.MIN_VALUE);
    /** After every event. */
    public static final JournalPosition END = new JournalPosition(Long.MAX_VALUE, Long.MAX_VALUE);

    @Override
    public int compareTo(JournalPosition o) {
        int c = Long.compare(timeNs, o.timeNs);
        return c != 0 ? c : Long.compare(sequence, o.sequence);
    }

    /** The position right after this one: a scan from there excludes this position. */
    public JournalPosition next() {
        if (sequence == Long.MAX_VALUE) {
            return timeNs == Long.MAX_VALUE ? END : new JournalPosition(timeNs + 1, Long.MIN_VALUE);
        }
        return new JournalPosition(timeNs, sequence + 1);
    }
}
