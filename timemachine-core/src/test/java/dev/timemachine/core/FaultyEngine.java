package dev.timemachine.core;

import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.api.spi.StorageEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * A real engine behind a wrapper that injects faults (after Lucene's {@code MockDirectoryWrapper}): the Nth and
 * later commits fail as a full disk does, one commit is torn (its first half applied, then a failure), reads
 * fail, syncs are slow. It counts commits and syncs, and calls a hook before each commit (a crash test kills
 * the process at the one it chooses). It keeps the wrapped engine's name, so a state dir written through it reopens with the
 * engine alone.
 */
public final class FaultyEngine implements StorageEngine {
    private final StorageEngine real;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private volatile long failFrom = Long.MAX_VALUE;
    private volatile long tear = -1;
    private volatile boolean failReads;
    private volatile long syncDelayMs;
    private volatile LongConsumer hook = n -> { };

    public FaultyEngine(StorageEngine real) {
        this.real = real;
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public KeyValueStore open(Path dir, Map<String, String> options) {
        return new Store(real.open(dir, options));
    }

    /** Commits numbered {@code n} and later (counting from 1 since this engine was made) fail: the disk is full. */
    public FaultyEngine diskFullFrom(long n) {
        failFrom = n;
        return this;
    }

    /** Commit {@code n} applies the first half of its operations, then fails. */
    public FaultyEngine tearCommit(long n) {
        tear = n;
        return this;
    }

    /** Every read (get and scan) fails from now on. */
    public FaultyEngine failReads() {
        failReads = true;
        return this;
    }

    /** Every sync takes this long. */
    public FaultyEngine slowSync(long millis) {
        syncDelayMs = millis;
        return this;
    }

    /** Calls {@code hook} with each commit's number just before the commit is applied. */
    public FaultyEngine beforeEachCommit(LongConsumer hook) {
        this.hook = hook;
        return this;
    }

    /** Commits attempted so far. */
    public long commits() {
        return commits.get();
    }

    /** Syncs so far. */
    public long syncs() {
        return syncs.get();
    }

    private static TimeMachineException diskFull() {
        return new TimeMachineException("injected fault: cannot write a batch: No space left on device",
                new IOException("No space left on device"));
    }

    private final class Store implements KeyValueStore {
        private final KeyValueStore kv;

        Store(KeyValueStore kv) {
            this.kv = kv;
        }

        private void checkRead() {
            if (failReads) {
                throw new TimeMachineException("injected fault: cannot read: Input/output error",
                        new IOException("Input/output error"));
            }
        }

        @Override
        public byte[] get(Keyspace keyspace, byte[] key) {
            checkRead();
            return kv.get(keyspace, key);
        }

        @Override
        public KvCursor scan(Keyspace keyspace, byte[] fromInclusive, byte[] toExclusive) {
            checkRead();
            return kv.scan(keyspace, fromInclusive, toExclusive);
        }

        @Override
        public KvBatch batch() {
            List<Consumer<KvBatch>> ops = new ArrayList<>();
            return new KvBatch() {
                @Override
                public void put(Keyspace keyspace, byte[] key, byte[] value) {
                    ops.add(b -> b.put(keyspace, key, value));
                }

                @Override
                public void put(Keyspace keyspace, byte[] key, byte[] head, byte[] tail) {
                    ops.add(b -> b.put(keyspace, key, head, tail));
                }

                @Override
                public void delete(Keyspace keyspace, byte[] key) {
                    ops.add(b -> b.delete(keyspace, key));
                }

                @Override
                public void deleteRange(Keyspace keyspace, byte[] from, byte[] to) {
                    ops.add(b -> b.deleteRange(keyspace, from, to));
                }

                @Override
                public int size() {
                    return ops.size();
                }

                @Override
                public void commit() {
                    long n = commits.incrementAndGet();
                    hook.accept(n);
                    if (n >= failFrom) {
                        throw diskFull();
                    }
                    int applied = n == tear ? ops.size() / 2 : ops.size();
                    try (KvBatch b = kv.batch()) {
                        ops.subList(0, applied).forEach(op -> op.accept(b));
                        b.commit();
                    }
                    if (n == tear) {
                        throw diskFull();
                    }
                }

                @Override
                public void close() {
                    ops.clear();
                }
            };
        }

        @Override
        public void sync() {
            syncs.incrementAndGet();
            if (syncDelayMs > 0) {
                try {
                    Thread.sleep(syncDelayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            kv.sync();
        }

        @Override
        public int maxKeySize() {
            return kv.maxKeySize();
        }

        @Override
        public void close() {
            kv.close();
        }
    }
}
