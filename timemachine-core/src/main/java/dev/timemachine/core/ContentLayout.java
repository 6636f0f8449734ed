package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.ContentMissingException;
import dev.timemachine.api.ContentStore;
import dev.timemachine.api.CorruptDataException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where each byte range of a rebuilt regular file comes from: slices of stored content, with gaps reading as
 * zeros. Keyframes, extents and truncates are applied to the map without reading any content, so a file's
 * size is known cheaply and its bytes are fetched once, in order, when written out. Not thread-safe.
 */
final class ContentLayout {
    /**
     * A slice {@code [blobOffset, blobOffset + end - start)} of {@code hash} placed at {@code [start, end)}, or of
     * {@code inline} bytes held by the record itself when {@code hash} is null.
     */
    record Segment(long start, long end, ContentHash hash, long blobOffset, String origin, byte[] inline) {
        Segment(long start, long end, ContentHash hash, long blobOffset, String origin) {
            this(start, end, hash, blobOffset, origin, null);
        }

        /** Whether {@code o} places the same bytes at the same offsets, known without reading content. */
        boolean sameBytesAs(Segment o) {
            if (start != o.start || end != o.end) {
                return false;
            }
            if (inline != null || o.inline != null) {
                return inline != null && o.inline != null && java.util.Arrays.equals(inline, (int) blobOffset,
                        (int) (blobOffset + length()), o.inline, (int) o.blobOffset, (int) (o.blobOffset + o.length()));
            }
            return blobOffset == o.blobOffset && hash.equals(o.hash);
        }

        long length() {
            return end - start;
        }
    }

    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private long size;
    /**
     * Bytes appended at the end of the file, copied into one array: a log grown by a million small writes is one
     * segment, not a million (each a map entry and, when written out, a system call of its own). The last
     * segment holds {@code tail[0, tailFill)} or a slice of it ending there, while it can be grown in place.
     */
    private byte[] tail;
    private int tailFill;

    long size() {
        return size;
    }

    Collection<Segment> segments() {
        return segments.values();
    }

    /** The whole file becomes {@code length} bytes of {@code hash}. */
    void keyframe(ContentHash hash, long length, String origin) {
        segments.clear();
        size = length;
        if (length > 0 && hash != null) {
            segments.put(0L, new Segment(0, length, hash, 0, origin));
        }
    }

    /** {@code data} written at {@code offset}; the file grows if needed. */
    void write(long offset, byte[] data, String origin) {
        if (offset == size && data.length > 0 && append(data, origin)) {
            return;
        }
        place(offset, data.length, new Segment(offset, offset + data.length, null, 0, origin, data));
    }

    /** Grows the last segment by {@code data} when it ends the file in {@link #tail}; false if it does not. */
    private boolean append(byte[] data, String origin) {
        Map.Entry<Long, Segment> e = segments.lastEntry();
        Segment last = e == null ? null : e.getValue();
        if (last == null || last.inline != tail || last.end != size || last.blobOffset + last.length() != tailFill
                || (long) tailFill + data.length > Integer.MAX_VALUE - 16) {
            if (data.length >= 4096 || size + data.length > Integer.MAX_VALUE - 16) {
                return false; // a large write is a segment of its own as it is
            }
            tail = new byte[Math.max(4096, 2 * data.length)];
            System.arraycopy(data, 0, tail, 0, data.length);
            tailFill = data.length;
            segments.put(size, new Segment(size, size + data.length, null, 0, origin, tail));
            size += data.length;
            return true;
        }
        if (tailFill + data.length > tail.length) {
            // the segments before keep the old array; the last one moves to the copy
            tail = java.util.Arrays.copyOf(tail, (int) Math.min(Integer.MAX_VALUE - 16,
                    Math.max(tail.length * 2L, (long) tailFill + data.length)));
        }
        System.arraycopy(data, 0, tail, tailFill, data.length);
        tailFill += data.length;
        segments.put(last.start, new Segment(last.start, last.end + data.length, null, last.blobOffset, last.origin, tail));
        size += data.length;
        return true;
    }

    /** {@code length} bytes of {@code hash} written at {@code offset}; the file grows if needed. */
    void write(long offset, long length, ContentHash hash, String origin) {
        place(offset, length, hash == null ? null : new Segment(offset, offset + length, hash, 0, origin));
    }

    private void place(long offset, long length, Segment segment) {
        if (length <= 0) {
            return;
        }
        long end = offset + length;
        cut(offset);
        cut(end);
        segments.subMap(offset, true, end, false).clear();
        if (segment != null) {
            segments.put(offset, segment);
        }
        size = Math.max(size, end);
    }

    /** Cut or zero-extend to {@code length}. */
    void truncate(long length) {
        cut(length);
        segments.tailMap(length, true).clear();
        size = length;
    }

    /** Splits the segment straddling {@code at}, so that a segment starts there. */
    private void cut(long at) {
        Map.Entry<Long, Segment> e = segments.lowerEntry(at);
        if (e == null || e.getValue().end <= at) {
            return;
        }
        Segment s = e.getValue();
        segments.put(s.start, new Segment(s.start, at, s.hash, s.blobOffset, s.origin, s.inline));
        segments.put(at, new Segment(at, s.end, s.hash, s.blobOffset + (at - s.start), s.origin, s.inline));
    }

    /** The bytes, in memory. */
    byte[] toBytes(ContentStore content) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("a file of " + size + " bytes does not fit in an array");
        }
        byte[] out = new byte[(int) size];
        Blobs blobs = new Blobs(content);
        for (Segment s : segments.values()) {
            ByteBuffer b = blobs.slice(s);
            b.get(out, (int) s.start, (int) s.length());
        }
        return out;
    }

    /** Writes the bytes in order, gaps as zeros. */
    void writeTo(OutputStream out, ContentStore content) throws IOException {
        Blobs blobs = new Blobs(content);
        long pos = 0;
        for (Segment s : segments.values()) {
            zeros(out, s.start - pos);
            ByteBuffer b = blobs.slice(s);
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            pos = s.end;
        }
        zeros(out, size - pos);
    }

    /**
     * Writes the bytes into an empty channel with positional writes: gaps are never written, so on a file
     * system with sparse files they stay holes; the size is set at the end.
     */
    void writeTo(FileChannel channel, ContentStore content) throws IOException {
        Blobs blobs = new Blobs(content);
        for (Segment s : segments.values()) {
            ByteBuffer b = blobs.slice(s);
            long pos = s.start;
            while (b.hasRemaining()) {
                pos += channel.write(b, pos);
            }
        }
        long current = channel.size();
        if (current > size) {
            channel.truncate(size);
        } else if (current < size) {
            // One zero byte at the last position sets the size and leaves everything before it a hole.
            channel.write(ByteBuffer.allocate(1), size - 1);
        }
    }

    private static final byte[] ZEROS = new byte[64 * 1024];

    private static void zeros(OutputStream out, long n) throws IOException {
        while (n > 0) {
            int k = (int) Math.min(n, ZEROS.length);
            out.write(ZEROS, 0, k);
            n -= k;
        }
    }

    /**
     * Recently read content, so a keyframe cut into many slices by later extents is fetched (and re-hashed)
     * once. Bounded by bytes; the blob in use is always kept.
     */
    private static final class Blobs {
        private static final long BUDGET = 128L << 20;
        private final RecentContent recent;

        Blobs(ContentStore content) {
            this.recent = new RecentContent(h -> content.get(h), BUDGET, Long.MAX_VALUE); // content is null when nothing is in blobs
        }

        ByteBuffer slice(Segment s) {
            if (s.inline != null) {
                return ByteBuffer.wrap(s.inline, (int) s.blobOffset, (int) s.length());
            }
            byte[] blob;
            try {
                blob = recent.get(s.hash);
            } catch (ContentMissingException e) {
                throw new CorruptDataException(s.origin, e.getMessage() + " (needed for content " + s.hash + ")", e);
            }
            if (s.blobOffset < 0 || s.blobOffset + s.length() > blob.length) {
                throw new CorruptDataException(s.origin, "refers to bytes " + s.blobOffset + ".." + (s.blobOffset + s.length())
                        + " of content " + s.hash + ", which holds " + blob.length + " bytes");
            }
            return ByteBuffer.wrap(blob, (int) s.blobOffset, (int) s.length());
        }
    }
}
