package dev.timemachine.store.lmdb;

import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.StorageEngine;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code lmdb} storage engine: one LMDB environment per store directory, one named database per keyspace,
 * one writer at a time.
 *
 * <p>Options (unknown keys are ignored):
 * <ul>
 *   <li>{@code lmdb.mapSize}: the largest the data file may grow, in bytes or with a {@code k}, {@code m},
 *       {@code g} or {@code t} suffix (default {@code 64g}; address space only, the file grows as it fills);</li>
 *   <li>{@code lmdb.maxReaders}: how many read transactions (gets and open cursors) may be open at once
 *       (default 1024);</li>
 *   <li>{@code lmdb.sync}: {@code none} (default: a commit survives a crash of the process, {@link
 *       KeyValueStore#sync()} makes it survive a power loss), {@code nometasync} (every commit flushes its
 *       data pages, the meta page lazily: a power loss may undo the last commit but never corrupts) or
 *       {@code full} (every commit is flushed).</li>
 * </ul>
 */
public final class LmdbStorageEngine implements StorageEngine {

    static final String MAP_SIZE = "lmdb.mapSize";
    static final String MAX_READERS = "lmdb.maxReaders";
    static final String SYNC = "lmdb.sync";

    @Override
    public String name() {
        return "lmdb";
    }

    @Override
    public KeyValueStore open(Path dir, Map<String, String> options) {
        return LmdbStore.open(Objects.requireNonNull(dir, "dir"), config(options));
    }

    @Override
    public Optional<KeyValueStore> openReadOnly(Path dir, Map<String, String> options) {
        return LmdbStore.openReadOnly(Objects.requireNonNull(dir, "dir"), config(options)).map(s -> s);
    }

    private static LmdbStore.Config config(Map<String, String> options) {
        Map<String, String> opts = options == null ? Map.of() : options;
        return new LmdbStore.Config(
                size(MAP_SIZE, opts.getOrDefault(MAP_SIZE, "64g")),
                Math.toIntExact(size(MAX_READERS, opts.getOrDefault(MAX_READERS, "1024"))),
                syncMode(opts.getOrDefault(SYNC, "none")));
    }

    private static long size(String option, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int shift = 0;
        if (!t.isEmpty()) {
            int unit = "kmgt".indexOf(t.charAt(t.length() - 1));
            if (unit >= 0) {
                shift = 10 * (unit + 1);
                t = t.substring(0, t.length() - 1);
            }
        }
        try {
            long n = Long.parseLong(t);
            if (n > 0 && n <= (Long.MAX_VALUE >> shift)) {
                return n << shift;
            }
        } catch (NumberFormatException e) {
            // reported below with the accepted forms
        }
        throw new IllegalArgumentException(
                String.format("%s must be a positive size such as 1073741824, 512m or 64g; got '%s'", option, text));
    }

    private static LmdbStore.SyncMode syncMode(String text) {
        for (LmdbStore.SyncMode mode : LmdbStore.SyncMode.values()) {
            if (mode.name().equalsIgnoreCase(text.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException(
                String.format("%s must be one of none, nometasync, full; got '%s'", SYNC, text));
    }
}
