package dev.timemachine.api;

/**
 * The kind of a file-system change. Each kind has a stable one-byte code used in the journal encoding;
 * codes are never reused.
 */
public enum Op {
    /** Bytes written at {@code offset}; the payload holds exactly those bytes. */
    WRITE(1),
    /** A regular file opened with O_CREAT (created if absent) or O_TRUNC (length set to zero). */
    CREATE(2),
    /** Length set to {@code length} (truncate, ftruncate, O_TRUNC). */
    TRUNCATE(3),
    /**
     * fallocate(2) at {@code offset}, {@code length}, with its {@link Fallocate} mode bits in {@code mode}: 0
     * allocates and may extend the file; PUNCH_HOLE and ZERO_RANGE make the range read as zeros,
     * COLLAPSE_RANGE removes it and INSERT_RANGE inserts that many zeros there, shifting what follows;
     * KEEP_SIZE keeps the size.
     */
    FALLOCATE(4),
    /** {@code path} renamed to {@code path2}. */
    RENAME(5),
    /** {@code path} and {@code path2} swapped atomically (RENAME_EXCHANGE). */
    EXCHANGE(6),
    /** A non-directory removed. */
    UNLINK(7),
    /** A directory created with {@code mode}. */
    MKDIR(8),
    /** A directory removed. */
    RMDIR(9),
    /** Permission bits set to {@code mode}. */
    CHMOD(10),
    /** A symlink created at {@code path} pointing to {@code path2}. */
    SYMLINK(11),
    /** A hard link {@code path2} created to the existing {@code path}. */
    LINK(12),
    /**
     * The file changed in a way the capture could not see byte for byte (shared mmap, a splice from a pipe,
     * io_uring): its content must be re-read, and versions built from it are approximate; {@code mode} holds
     * the {@link ApproximateReason} code.
     */
    REREAD(13),
    /** Records were lost (ring buffer overflow); {@code length} holds how many, {@code path} the file if known. */
    LOST(14),
    /**
     * {@code length} bytes copied into {@code path} at {@code offset} from the file {@code path2} at {@link
     * FsEvent#sourceOffset()} (copy_file_range, sendfile, splice, a FICLONE or FICLONERANGE reflink): the
     * destination's bytes there are the source's at that instant.
     */
    COPY(15),
    /**
     * The process {@code pid} executed the program {@code path}; {@code path2} holds its arguments, NUL-separated
     * (at most 256 bytes, cut), and {@code mode} its parent's pid. Not a file change: who made the ones after.
     */
    EXEC(16),
    /** The process {@code pid} was forked by the one in {@code mode}, and runs its command until it execs. */
    FORK(17),
    /**
     * A FIFO, socket or device node was made at {@code path} (mknod, mkfifo); {@code mode} holds its type and
     * permission bits. Recordings do not hold such files: the recording counts them and says so.
     */
    SPECIAL(18);

    private static final Op[] BY_CODE = new Op[32];

    static {
        for (Op op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;

    Op(int code) {
        this.code = code;
    }

    /** The stable one-byte code of this kind. */
    public int code() {
        return code;
    }

    /**
     * The kind with the given code.
     *
     * @throws IllegalArgumentException if no kind has that code
     */
    public static Op ofCode(int code) {
        Op op = orNull(code);
        if (op == null) {
            throw new IllegalArgumentException("unknown op code " + code);
        }
        return op;
    }

    /** The op with this code, or null if there is none. */
    public static Op orNull(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
