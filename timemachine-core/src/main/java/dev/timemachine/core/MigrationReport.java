package dev.timemachine.core;

import dev.timemachine.api.spi.Keyspace;
import java.util.Collections;
import java.util.EnumMap;
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
        entries = Collections.unmodifiableMap(new EnumMap<>(entries));
        bytes = Collections.unmodifiableMap(new EnumMap<>(bytes));
    }

    /** Entries copied over every keyspace. */
    public long totalEntries() {
        return entries.values().stream().mapToLong(Long::longValue).sum();
    }
}
