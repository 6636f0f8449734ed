package dev.timemachine.core;

import java.util.List;

/**
 * What {@link TimeMachine#verify} checked and what it found wrong.
 *
 * @param blobs    content values re-hashed
 * @param entries  stored entries decoded, over every keyspace
 * @param versions version records checked
 * @param problems everything wrong, in the order found
 */
public record VerifyReport(long blobs, long entries, long versions, List<Problem> problems) {

    public VerifyReport {
        problems = List.copyOf(problems);
    }

    /** Whether nothing was wrong. */
    public boolean ok() {
        return problems.isEmpty();
    }

    /**
     * One thing wrong.
     *
     * @param key    the entry it was found at, as {@code prefix:hex} (the form {@link
     *               dev.timemachine.api.CorruptDataException#key()} uses)
     * @param kind   what is wrong
     * @param detail a sentence for people
     */
    public record Problem(String key, Kind kind, String detail) {
        @Override
        public String toString() {
            return key + ": " + detail;
        }
    }

    /** Kinds of problem. */
    public enum Kind {
        /** A key or value cannot be decoded: truncated, an unknown format version or code, trailing bytes. */
        UNDECODABLE,
        /** Content does not hash to its key (for chunked content: its chunks do not assemble to it). */
        HASH_MISMATCH,
        /** A value refers to content (or a chunk) the content store does not hold. */
        MISSING_CONTENT,
        /** A version refers to a path id the path table does not hold. */
        MISSING_PATH,
        /** Entries of a recording that has no description. */
        ORPHANED,
        /** A rename or link record whose source did not exist just before it: the path cannot be rebuilt. */
        MISSING_SOURCE
    }
}
