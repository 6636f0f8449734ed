package dev.timemachine.api;

import java.util.List;
import java.util.function.Predicate;

/**
 * The summaries of every compacted event of one recording (the {@code e:} keyspace): each journal entry
 * without its payload (its {@code length} still says how many bytes were written), kept after the journal is
 * trimmed so {@code log} can show the whole timeline. Ordered like the journal. Thread-safe.
 */
public interface EventLog {

    /** Stores the summaries of these entries (their payloads are dropped) in one atomic batch. */
    void append(List<JournalEntry> entries);

    /**
     * Visits summaries from {@code from} (inclusive) in journal order until the visitor returns false.
     *
     * @return how many were visited
     */
    long scan(JournalPosition from, Predicate<JournalEntry> visitor);
}
