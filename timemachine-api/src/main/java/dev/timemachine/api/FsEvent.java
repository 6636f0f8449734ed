package dev.timemachine.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One completed file-system change made by a tracked process.
 *
 * <p>Paths are absolute and kept as raw bytes, since Linux paths need not be valid UTF-8. Instances are
 * immutable by convention: the arrays are not copied, and callers must not modify them after construction.
 *
 * @param timeNs  CLOCK_MONOTONIC nanoseconds at which the syscall completed
 * @param pid     process id (thread-group id) of the caller
 * @param tid     thread id of the caller
 * @param op      what changed
 * @param path    absolute path of the file concerned, never {@code null}
 * @param path2   second path: rename/exchange destination, symlink target, hard-link name, copy source; otherwise
 *                {@code null}
 * @param offset  file offset of a write or fallocate, otherwise 0
 * @param length  bytes written, new length for a truncate, records lost for {@link Op#LOST}, for a create the
 *                file's size once open (0: its bytes are known, none) or -1 if not known, otherwise 0
 * @param mode    permission bits for create, mkdir and chmod, fallocate(2)'s mode bits for fallocate, the
 *                {@link ApproximateReason} code of a re-read, the parent's pid for an exec, otherwise 0
 * @param payload the exact bytes written (possibly one chunk of a larger write); for a copy the source offset
 *                ({@link #sourceOffset()}); empty for other ops
 * @param flags   a combination of the {@code FLAG_*} bits
 */
public record FsEvent(long timeNs, int pid, int tid, Op op, byte[] path, byte[] path2, long offset, long length,
                      int mode, byte[] payload, int flags) {

    /** The write was made with O_APPEND. */
    public static final int FLAG_APPEND = 1;
    /** The change could not be captured exactly; the file's versions from here on are approximate. */
    public static final int FLAG_APPROXIMATE = 1 << 1;
    /** A rename with RENAME_NOREPLACE. */
    public static final int FLAG_NOREPLACE = 1 << 2;
    /** The path concerned is a directory. */
    public static final int FLAG_DIRECTORY = 1 << 3;
    /** This write event is one chunk of a larger write; more chunks of the same syscall follow. */
    public static final int FLAG_CHUNK_MORE = 1 << 4;
    /**
     * A {@link Op#REREAD} for a shared mapping ({@link ApproximateReason#MAPPED}) at a point where what the process
     * stored through it is in the file: msync, munmap, exec or exit. The recorder reads the file then. With
     * {@link #FLAG_APPROXIMATE} the file is still mapped writable elsewhere, and approximate after it.
     */
    public static final int FLAG_SYNCED = 1 << 5;

    private static final byte[] EMPTY = new byte[0];

    public FsEvent {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(path, "path");
        if (payload == null) {
            payload = EMPTY;
        }
    }

    /** A write of {@code payload} at {@code offset}. */
    public static FsEvent write(long timeNs, int pid, byte[] path, long offset, byte[] payload) {
        return new FsEvent(timeNs, pid, pid, Op.WRITE, path, null, offset, payload.length, 0, payload, 0);
    }

    /**
     * {@code length} bytes copied into {@code path} at {@code offset} from {@code source} at {@code sourceOffset}
     * (copy_file_range, sendfile, splice from a regular file). The source offset travels as the payload.
     */
    public static FsEvent copy(long timeNs, int pid, int tid, byte[] path, long offset, byte[] source,
                               long sourceOffset, long length) {
        return new FsEvent(timeNs, pid, tid, Op.COPY, path, Objects.requireNonNull(source, "source"), offset, length, 0,
                ByteBuffer.allocate(Long.BYTES).putLong(sourceOffset).array(), 0);
    }

    /**
     * Where a {@link Op#COPY} read its source.
     *
     * @throws IllegalStateException for another op, or a copy whose payload is not an offset
     */
    public long sourceOffset() {
        if (op != Op.COPY || payload.length != Long.BYTES) {
            throw new IllegalStateException("not a copy: " + this);
        }
        return ByteBuffer.wrap(payload).getLong();
    }

    /** An event without payload or second path. */
    public static FsEvent of(long timeNs, int pid, Op op, byte[] path) {
        return new FsEvent(timeNs, pid, pid, op, path, null, 0, 0, 0, EMPTY, 0);
    }

    /** Whether the given flag bit is set. */
    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The path for display: UTF-8 with invalid bytes replaced. */
    public String pathString() {
        return new String(path, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FsEvent e && timeNs == e.timeNs && pid == e.pid && tid == e.tid && op == e.op
                && offset == e.offset && length == e.length && mode == e.mode && flags == e.flags
                && Arrays.equals(path, e.path) && Arrays.equals(path2, e.path2) && Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(timeNs, pid, tid, op, offset, length, mode, flags);
        h = 31 * h + Arrays.hashCode(path);
        h = 31 * h + Arrays.hashCode(path2);
        return 31 * h + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "FsEvent[" + timeNs + " pid=" + pid + "/" + tid + " " + op + " " + pathString()
                + (path2 == null ? "" : " -> " + new String(path2, StandardCharsets.UTF_8))
                + " off=" + offset + " len=" + length + " mode=" + Integer.toOctalString(mode)
                + " payload=" + payload.length + "B flags=" + flags + "]";
    }
}
