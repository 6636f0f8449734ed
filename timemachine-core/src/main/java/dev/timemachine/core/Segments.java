package dev.timemachine.core;

import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The payload log of a state dir (docs/storage.md, "Segments"): append-only files under {@code segments/} that
 * hold the bytes of written payloads once, so that the engine stores only a small reference to them
 * (key-value separation, as in WiscKey, RocksDB's BlobDB and Badger's value log). Content records of codec
 * {@link ContentCodec#SEGMENT} point into them by (segment, offset, length).
 *
 * <p>Appends are buffered and written by {@link #flush()}, which a caller runs before it commits the batch that
 * refers to them: what a commit refers to is in the page cache, so it survives a crash of the process as the
 * engine's own write-ahead log does; {@link #sync()} makes it survive power loss. Bytes that no commit came to
 * refer to (a crash between the two) are garbage, reclaimed by gc. Segments are never modified: gc copies the
 * live extents of a mostly dead segment into a new one and deletes the old.
 *
 * <p>Each {@link #WRITEBACK_BYTES} flushed, a short-lived thread writes back what is flushed (fdatasync of the
 * segments written to, outside this object's lock), so that the bytes reach the disk while the recorded
 * command runs rather than all in the {@link #sync()} at its end: on an extract of 345 MiB, that sync alone
 * took 0.17 s after the command (BENCHMARKS.md, thirteenth round). It is only a head start: {@link #sync()}
 * still syncs every segment written to since the last one.
 *
 * <p>Thread-safe: one appender at a time (appends are synchronized), reads from any thread.
 */
final class Segments implements AutoCloseable {
    /** Bytes flushed after which they are written back in the background. */
    static final long WRITEBACK_BYTES = 32L << 20;
    /** A segment is not appended to past this size; the next append opens a new one. */
    static final long MAX_SEGMENT = 1L << 30;
    private static final String SUFFIX = ".seg";

    /** Where appended bytes are. */
    record Location(int segment, long offset) {
    }

    private final Path dir;
    private final KeyValueStore kv;
    private final Map<Integer, FileChannel> readers = new ConcurrentHashMap<>();
    private FileChannel current;
    private int currentId = -1;
    private long currentSize;
    private final List<ByteBuffer> pending = new ArrayList<>();
    /** Segments written to since the last sync. */
    private final TreeSet<Integer> unsynced = new TreeSet<>();
    private long flushedSinceWriteback;
    private final AtomicBoolean writingBack = new AtomicBoolean();
    private volatile boolean closed;

    Segments(Path dir, KeyValueStore kv) {
        this.dir = dir;
        this.kv = kv;
    }

    /**
     * Reserves room for {@code bytes} at the end of the current segment and returns where they will be; they
     * reach the file at the next {@link #flush()}. The array must not change until then.
     */
    synchronized Location append(byte[] bytes) {
        ensureOpen();
        if (current == null || currentSize + bytes.length > MAX_SEGMENT) {
            roll();
        }
        Location at = new Location(currentId, currentSize);
        pending.add(ByteBuffer.wrap(bytes));
        currentSize += bytes.length;
        return at;
    }

    /** Writes every pending append to its segment. */
    synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        try {
            ByteBuffer[] buffers = pending.toArray(ByteBuffer[]::new);
            long remaining = 0;
            for (ByteBuffer b : buffers) {
                remaining += b.remaining();
            }
            long flushed = remaining;
            while (remaining > 0) {
                remaining -= current.write(buffers);
            }
            pending.clear();
            unsynced.add(currentId);
            flushedSinceWriteback += flushed;
            if (flushedSinceWriteback >= WRITEBACK_BYTES && writingBack.compareAndSet(false, true)) {
                flushedSinceWriteback = 0;
                writeBack(unsynced.stream().map(this::file).toList());
            }
        } catch (IOException e) {
            pending.clear();
            // the next append starts a new segment: what this one holds after the failure is unknown
            closeCurrent();
            throw new TimeMachineException("cannot write segment " + file(currentId) + ": " + e.getMessage(), e);
        }
    }

    /** Starts writing {@code files} back to the disk on a thread of its own; failures are left to {@link #sync()}. */
    private void writeBack(List<Path> files) {
        Thread t = new Thread(() -> {
            try {
                for (Path f : files) {
                    try {
                        force(f);
                    } catch (IOException e) {
                        // deleted since (gc), or failing: sync() says so when it matters
                    }
                }
            } finally {
                writingBack.set(false);
            }
        }, "tm-writeback");
        t.setDaemon(true);
        t.start();
    }

    /** Makes everything flushed durable against power loss. */
    synchronized void sync() {
        for (int id : unsynced) {
            try {
                force(file(id));
            } catch (NoSuchFileException e) {
                // deleted since (gc): nothing to make durable
            } catch (IOException e) {
                throw new TimeMachineException("cannot sync segment " + file(id) + ": " + e.getMessage(), e);
            }
        }
        unsynced.clear();
    }

    /** Writes {@code segment}'s data to the disk (fdatasync). */
    private static void force(Path segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.force(false);
        }
    }

    /**
     * The {@code length} bytes at {@code offset} of segment {@code segment}.
     *
     * @param key names what the bytes are in an error, made only then: formatting a content key for every read
     *            was 0.7% of the compactor's CPU on a SQLite run, for errors that never came
     * @throws CorruptDataException naming {@code key} if the segment is missing or shorter than that
     */
    byte[] read(int segment, long offset, int length, Supplier<String> key) {
        ensureOpen();
        byte[] out = new byte[length];
        ByteBuffer b = ByteBuffer.wrap(out);
        try {
            FileChannel ch = reader(segment);
            long pos = offset;
            while (b.hasRemaining()) {
                int n = ch.read(b, pos);
                if (n < 0) {
                    throw new CorruptDataException(key.get(), "segment " + file(segment).getFileName() + " ends at "
                            + pos + ", before the " + length + " bytes at " + offset + " it should hold");
                }
                pos += n;
            }
            return out;
        } catch (NoSuchFileException e) {
            throw new CorruptDataException(key.get(), "segment " + file(segment).getFileName() + " is missing", e);
        } catch (IOException e) {
            throw new TimeMachineException("cannot read segment " + file(segment) + ": " + e.getMessage(), e);
        }
    }

    /** The ids of the segment files present, ascending. */
    List<Integer> ids() {
        List<Integer> ids = new ArrayList<>();
        try (Stream<Path> files = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
                    .forEach(n -> ids.add(Integer.parseInt(n.substring(0, n.length() - SUFFIX.length()))));
        } catch (IOException | NumberFormatException e) {
            throw new TimeMachineException("cannot list the segments in " + dir + ": " + e.getMessage(), e);
        }
        ids.sort(null);
        return ids;
    }

    /** The size of a segment file in bytes. */
    long size(int id) {
        try {
            return Files.size(file(id));
        } catch (IOException e) {
            throw new TimeMachineException("cannot read the size of " + file(id) + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code id} is the segment being appended to. */
    synchronized boolean isCurrent(int id) {
        return id == currentId && current != null;
    }

    /** Deletes a segment nothing refers to any more. */
    synchronized void delete(int id) {
        if (id == currentId) {
            closeCurrent();
        }
        FileChannel r = readers.remove(id);
        closeQuietly(r);
        try {
            Files.deleteIfExists(file(id));
        } catch (IOException e) {
            throw new TimeMachineException("cannot delete " + file(id) + ": " + e.getMessage(), e);
        }
    }

    /** The directory of the segments, for a migration that copies them. */
    Path directory() {
        return dir;
    }

    Path file(int id) {
        return dir.resolve(String.format("%08d%s", id, SUFFIX));
    }

    /** Opens a new segment with the next id, which is taken from the store before the file exists. */
    private void roll() {
        closeCurrent();
        byte[] key = MetaCodec.settingKey(MetaCodec.NEXT_SEGMENT_ID);
        byte[] v = kv.get(Keyspace.META, key);
        int id = v == null ? 1 : (int) MetaCodec.setting(key, v);
        try (KvBatch batch = kv.batch()) {
            batch.put(Keyspace.META, key, MetaCodec.settingValue(id + 1L));
            batch.commit();
        }
        try {
            Files.createDirectories(dir);
            current = FileChannel.open(file(id), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new TimeMachineException("cannot create segment " + file(id) + ": " + e.getMessage(), e);
        }
        currentId = id;
        currentSize = 0;
    }

    private FileChannel reader(int segment) throws IOException {
        FileChannel ch = readers.get(segment);
        if (ch == null) {
            FileChannel opened = FileChannel.open(file(segment), StandardOpenOption.READ);
            ch = readers.putIfAbsent(segment, opened);
            if (ch == null) {
                ch = opened;
            } else {
                opened.close();
            }
        }
        return ch;
    }

    private void closeCurrent() {
        closeQuietly(current);
        current = null;
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a channel we only read from, or one whose writes failed already
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the segments are closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            flush();
            closeCurrent();
            readers.values().forEach(Segments::closeQuietly);
            readers.clear();
        }
    }
}
