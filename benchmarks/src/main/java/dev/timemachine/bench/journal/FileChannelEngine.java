package dev.timemachine.bench.journal;

import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.api.spi.StorageEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The ceiling for journal appends: a "store" that appends every put of a batch, length-prefixed, to one file
 * with a single {@link FileChannel#write} per commit and no fsync, which is all a write-ahead log does on the
 * hot path. It cannot read anything back. Not registered with {@code ServiceLoader}: the benchmark hands it to
 * {@code Stores} directly, so the events go through the same journal code and codec as on the real engines.
 */
final class FileChannelEngine implements StorageEngine {

    @Override
    public String name() {
        return "filechannel";
    }

    @Override
    public KeyValueStore open(Path dir, Map<String, String> options) {
        try {
            Files.createDirectories(dir);
            return new Store(FileChannel.open(dir.resolve("journal.log"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new TimeMachineException("cannot open " + dir + ": " + e, e);
        }
    }

    private static final class Store implements KeyValueStore {
        private final FileChannel channel;
        /** Reused by every batch: one writer at a time, and a direct buffer spares the JDK a copy. */
        private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);

        Store(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public byte[] get(Keyspace keyspace, byte[] key) {
            return null;
        }

        @Override
        public KvBatch batch() {
            buffer.clear();
            return new Batch();
        }

        @Override
        public KvCursor scan(Keyspace keyspace, byte[] fromInclusive, byte[] toExclusive) {
            return new KvCursor() {
                @Override
                public boolean next() {
                    return false;
                }

                @Override
                public byte[] key() {
                    throw new IllegalStateException("empty");
                }

                @Override
                public byte[] value() {
                    throw new IllegalStateException("empty");
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void sync() {
            try {
                channel.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public int maxKeySize() {
            return 8192;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private final class Batch implements KvBatch {
            private int size;

            @Override
            public void put(Keyspace keyspace, byte[] key, byte[] value) {
                room(9 + key.length + value.length);
                buffer.put((byte) keyspace.ordinal()).putInt(key.length).put(key).putInt(value.length).put(value);
                size++;
            }

            @Override
            public void delete(Keyspace keyspace, byte[] key) {
                size++;
            }

            @Override
            public void deleteRange(Keyspace keyspace, byte[] fromInclusive, byte[] toExclusive) {
                size++;
            }

            @Override
            public int size() {
                return size;
            }

            @Override
            public void commit() {
                buffer.flip();
                try {
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                buffer.clear();
            }

            @Override
            public void close() {
            }

            private void room(int bytes) {
                if (buffer.remaining() < bytes) {
                    ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(2 * buffer.capacity(), buffer.position() + bytes));
                    buffer.flip();
                    bigger.put(buffer);
                    buffer = bigger;
                }
            }
        }
    }
}
