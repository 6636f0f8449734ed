package dev.timemachine.core;

import dev.timemachine.api.JournalEntry;

/**
 * One event of a recording's timeline ({@link TimeMachine#timeline}), without its payload.
 *
 * @param entry     the event and its journal sequence; the payload is empty, {@code length} still says how
 *                  many bytes were written
 * @param compacted whether it is compacted into versions (false: only in the journal so far)
 */
public record TimelineEvent(JournalEntry entry, boolean compacted) {
}
