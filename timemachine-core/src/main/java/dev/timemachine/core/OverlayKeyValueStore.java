package dev.timemachine.core;

import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A store whose writes stay in memory over a base store that is only read: lets a command that cannot write
 * the state dir (a full disk) still finish an interrupted recording for its own use. Deletes are kept as
 * tombstones and deleted ranges, so the base's entries they cover disappear from reads. Closing closes the
 * base. Thread-safe; cursors see the overlay as it was when they were opened.
 */
final class OverlayKeyValueStore implements KeyValueStore {
    /** Marks a deleted key in the overlay. */
    private static final byte[] TOMBSTONE = new byte[0];

    private final KeyValueStore base;
    private final Map<Keyspace, NavigableMap<byte[], byte[]>> written = new EnumMap<>(Keyspace.class);
    private final Map<Keyspace, List<byte[][]>> deletedRanges = new EnumMap<>(Keyspace.class);

    OverlayKeyValueStore(KeyValueStore base) {
        this.base = base;
        for (Keyspace ks : Keyspace.values()) {
            written.put(ks, new TreeMap<>(Arrays::compareUnsigned));
            deletedRanges.put(ks, new ArrayList<>());
        }
    }

    @Override
    public synchronized byte[] get(Keyspace keyspace, byte[] key) {
        byte[] v = written.get(keyspace).get(key);
        if (v != null) {
            return v == TOMBSTONE ? null : v.clone();
        }
        return inDeletedRange(keyspace, key) ? null : base.get(keyspace, key);
    }

    private boolean inDeletedRange(Keyspace keyspace, byte[] key) {
        for (byte[][] r : deletedRanges.get(keyspace)) {
            if (Arrays.compareUnsigned(key, r[0]) >= 0 && Arrays.compareUnsigned(key, r[1]) < 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public KvBatch batch() {
        List<Runnable> ops = new ArrayList<>();
        return new KvBatch() {
            @Override
            public void put(Keyspace ks, byte[] key, byte[] value) {
                byte[] k = key.clone();
                byte[] v = value.clone();
                ops.add(() -> written.get(ks).put(k, v));
            }

            @Override
            public void delete(Keyspace ks, byte[] key) {
                byte[] k = key.clone();
                ops.add(() -> written.get(ks).put(k, TOMBSTONE));
            }

            @Override
            public void deleteRange(Keyspace ks, byte[] from, byte[] to) {
                byte[][] range = {from.clone(), to.clone()};
                ops.add(() -> {
                    written.get(ks).subMap(range[0], true, range[1], false).clear();
                    deletedRanges.get(ks).add(range);
                });
            }

            @Override
            public int size() {
                return ops.size();
            }

            @Override
            public void commit() {
                synchronized (OverlayKeyValueStore.this) {
                    ops.forEach(Runnable::run);
                }
                ops.clear();
            }

            @Override
            public void close() {
                ops.clear();
            }
        };
    }

    @Override
    public synchronized KvCursor scan(Keyspace keyspace, byte[] from, byte[] to) {
        NavigableMap<byte[], byte[]> mine = written.get(keyspace);
        if (from != null && to != null) {
            mine = Arrays.compareUnsigned(from, to) >= 0 ? new TreeMap<>() : mine.subMap(from, true, to, false);
        } else if (from != null) {
            mine = mine.tailMap(from, true);
        } else if (to != null) {
            mine = mine.headMap(to, false);
        }
        List<Map.Entry<byte[], byte[]>> snapshot = new ArrayList<>(mine.entrySet());
        List<byte[][]> ranges = List.copyOf(deletedRanges.get(keyspace));
        return new MergedCursor(base.scan(keyspace, from, to), snapshot.iterator(), ranges);
    }

    /** The base's entries not hidden by the overlay, merged in key order with the overlay's live entries. */
    private static final class MergedCursor implements KvCursor {
        private final KvCursor below;
        private final Iterator<Map.Entry<byte[], byte[]>> above;
        private final List<byte[][]> ranges;
        private byte[] belowKey;
        private byte[] belowValue;
        private Map.Entry<byte[], byte[]> aboveEntry;
        private byte[] key;
        private byte[] value;

        MergedCursor(KvCursor below, Iterator<Map.Entry<byte[], byte[]>> above, List<byte[][]> ranges) {
            this.below = below;
            this.above = above;
            this.ranges = ranges;
            advanceBelow();
            aboveEntry = above.hasNext() ? above.next() : null;
        }

        private void advanceBelow() {
            while (below.next()) {
                byte[] k = below.key();
                boolean hidden = false;
                for (byte[][] r : ranges) {
                    if (Arrays.compareUnsigned(k, r[0]) >= 0 && Arrays.compareUnsigned(k, r[1]) < 0) {
                        hidden = true;
                        break;
                    }
                }
                if (!hidden) {
                    belowKey = k;
                    belowValue = below.value();
                    return;
                }
            }
            belowKey = null;
        }

        @Override
        public boolean next() {
            while (belowKey != null || aboveEntry != null) {
                int c = belowKey == null ? 1 : aboveEntry == null ? -1 : Arrays.compareUnsigned(belowKey, aboveEntry.getKey());
                if (c < 0) {
                    key = belowKey;
                    value = belowValue;
                    advanceBelow();
                    return true;
                }
                Map.Entry<byte[], byte[]> e = aboveEntry;
                aboveEntry = above.hasNext() ? above.next() : null;
                if (c == 0) {
                    advanceBelow(); // the overlay's write replaces the base's
                }
                if (e.getValue() != TOMBSTONE) {
                    key = e.getKey().clone();
                    value = e.getValue().clone();
                    return true;
                }
            }
            return false;
        }

        @Override
        public byte[] key() {
            return key;
        }

        @Override
        public byte[] value() {
            return value;
        }

        @Override
        public void close() {
            below.close();
        }
    }

    @Override
    public void sync() {
        // nothing reaches the disk
    }

    @Override
    public int maxKeySize() {
        return base.maxKeySize();
    }

    @Override
    public void close() {
        base.close();
    }
}
