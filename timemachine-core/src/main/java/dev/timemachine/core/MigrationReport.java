package dev.timemachine.core;

import dev.timemachine.api.spi.Keyspace;
import java.util.Map;

/**
 * What {@link TimeMachine#migrateTo} copied, once the copy was checked against the source.
 *
 * @param entries         entries copied, per keyspace
 * @param bytes           bytes of keys and values copied, per keyspace
 * @param contentVerified content values of the copy re-hashed
 */
public record MigrationReport(Map<Keyspace, Long> entries, Map<Keyspace, Long> bytes, long contentVerified) {

    public MigrationReport {
        entries = Map.copyOf(entries);
        bytes = Map.copyOf(bytes);
    }

    /** Entries copied over every keyspace. */
    public long totalEntries() {
        return entries.values().stream().mapToLong(Long::longValue).sum();
    }
}
