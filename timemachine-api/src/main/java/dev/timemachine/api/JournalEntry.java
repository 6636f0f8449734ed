package dev.timemachine.api;

/** An event as stored in the journal, with the sequence number the journal gave it. */
public record JournalEntry(long sequence, FsEvent event) {
    /** Where this entry sits in the journal's order. */
    public JournalPosition position() {
        return new JournalPosition(event.timeNs(), sequence);
    }
}
