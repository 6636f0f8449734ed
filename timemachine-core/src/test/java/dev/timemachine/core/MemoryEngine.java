package dev.timemachine.core;

import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.api.spi.StorageEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory engine: the model the contract tests check real engines against, and a fast engine for the
 * core's own tests. Data "on disk" lives in a static map keyed by directory, so close and reopen keep it
 * within one JVM.
 */
public final class MemoryEngine implements StorageEngine {
    private static final Map<Path, Map<Keyspace, NavigableMap<byte[], byte[]>>> DISKS = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public KeyValueStore open(Path dir, Map<String, String> options) {
        return new Store(DISKS.computeIfAbsent(dir.toAbsolutePath(), d -> {
            Map<Keyspace, NavigableMap<byte[], byte[]>> m = new EnumMap<>(Keyspace.class);
            for (Keyspace ks : Keyspace.values()) {
                m.put(ks, new TreeMap<>(Arrays::compareUnsigned));
            }
            return m;
        }));
    }

    private static final class Store implements KeyValueStore {
        private final Map<Keyspace, NavigableMap<byte[], byte[]>> data;
        private volatile boolean closed;

        Store(Map<Keyspace, NavigableMap<byte[], byte[]>> data) {
            this.data = data;
        }

        @Override
        public byte[] get(Keyspace keyspace, byte[] key) {
            ensureOpen();
            synchronized (data) {
                byte[] v = data.get(keyspace).get(key);
                return v == null ? null : v.clone();
            }
        }

        @Override
        public KvBatch batch() {
            ensureOpen();
            return new KvBatch() {
                private final List<Runnable> ops = new ArrayList<>();

                @Override
                public void put(Keyspace ks, byte[] key, byte[] value) {
                    byte[] k = key.clone();
                    byte[] v = value.clone();
                    ops.add(() -> data.get(ks).put(k, v));
                }

                @Override
                public void delete(Keyspace ks, byte[] key) {
                    byte[] k = key.clone();
                    ops.add(() -> data.get(ks).remove(k));
                }

                @Override
                public void deleteRange(Keyspace ks, byte[] from, byte[] to) {
                    byte[] f = from.clone();
                    byte[] t = to.clone();
                    ops.add(() -> data.get(ks).subMap(f, true, t, false).clear());
                }

                @Override
                public int size() {
                    return ops.size();
                }

                @Override
                public void commit() {
                    ensureOpen();
                    synchronized (data) {
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
        public KvCursor scan(Keyspace keyspace, byte[] from, byte[] to) {
            ensureOpen();
            List<Map.Entry<byte[], byte[]>> snapshot;
            synchronized (data) {
                NavigableMap<byte[], byte[]> m = data.get(keyspace);
                if (from != null && to != null) {
                    m = Arrays.compareUnsigned(from, to) >= 0 ? new TreeMap<>() : m.subMap(from, true, to, false);
                } else if (from != null) {
                    m = m.tailMap(from, true);
                } else if (to != null) {
                    m = m.headMap(to, false);
                }
                snapshot = new ArrayList<>(m.entrySet());
            }
            Iterator<Map.Entry<byte[], byte[]>> it = snapshot.iterator();
            return new KvCursor() {
                private Map.Entry<byte[], byte[]> current;

                @Override
                public boolean next() {
                    ensureOpen();
                    current = it.hasNext() ? it.next() : null;
                    return current != null;
                }

                @Override
                public byte[] key() {
                    return current.getKey().clone();
                }

                @Override
                public byte[] value() {
                    return current.getValue().clone();
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void sync() {
            ensureOpen();
        }

        @Override
        public int maxKeySize() {
            return 511;
        }

        @Override
        public void close() {
            closed = true;
        }

        private void ensureOpen() {
            if (closed) {
                throw new IllegalStateException("store is closed");
            }
        }
    }
}
