package dev.timemachine.api.spi;

/**
 * The keyspaces of the storage schema (docs/storage.md). An engine keeps each in its own column family or named
 * database and may tune each for its access pattern.
 */
public enum Keyspace {
    /** {@code l:} the journal: append-mostly, small values, scanned in order and trimmed from the front. */
    JOURNAL("l"),
    /** {@code c:} content by SHA-256: large values, point lookups. */
    CONTENT("c"),
    /** {@code m:} version records: keyed by path id and inverted time, found by seek. */
    VERSIONS("m"),
    /** {@code p:} path interning: path hash to id and id to path. */
    PATHS("p"),
    /** {@code s:} recording metadata and store-wide settings. */
    META("s"),
    /** {@code e:} a summary of every compacted event (no payload), kept for {@code log}: append-mostly, scanned in order. */
    EVENTS("e");

    private final String prefix;

    Keyspace(String prefix) {
        this.prefix = prefix;
    }

    /** The one-letter prefix the schema names this keyspace by. */
    public String prefix() {
        return prefix;
    }
}
