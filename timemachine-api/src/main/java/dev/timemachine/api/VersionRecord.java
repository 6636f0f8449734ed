package dev.timemachine.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * What happened to one path at one instant, as the compactor writes it under {@code m:}. Immutable by
 * convention (the target array is not copied).
 *
 * <p><b>How a path's state at an instant is rebuilt</b> (the contract between compactor and replayer). Take
 * the versions of the path at or before the instant, newest first, and walk back to the first <em>base</em>
 * record; then apply the later <em>change</em> records oldest first.
 * <ul>
 *   <li>Base records: {@link Kind#KEYFRAME} (a regular file holding exactly {@code content}, {@code length}
 *   bytes), {@link Kind#DELETE} (absent), {@link Kind#DIRECTORY}, {@link Kind#SYMLINK} (to {@code target}),
 *   {@link Kind#RENAME} and {@link Kind#LINK}: the path now holds what {@code target} held immediately
 *   before this record, that is the state of {@code target} rebuilt from its versions strictly before this
 *   record's (time, sequence); the moved object keeps its mode (also written in {@code mode}).</li>
 *   <li>Change records: {@link Kind#EXTENT} (write {@code length} bytes of {@code content}, or of {@code data},
 *   at {@code offset};
 *   a gap before it reads as zeros), {@link Kind#TRUNCATE} (cut or zero-extend to {@code length}),
 *   {@link Kind#MODE} (permission bits become {@code mode}).</li>
 *   <li>Change records with no base before them describe a file whose earlier content is unknown: start from
 *   an empty file and report the result approximate.</li>
 *   <li>The result is approximate if any record used, or any record of a rename/link source used, has
 *   {@link #FLAG_APPROXIMATE}.</li>
 *   <li>Every record carries the path's permission bits after it in {@code mode}.</li>
 * </ul>
 * A directory rename is written as one record per moved path (the directory itself and each path below
 * it), so a path's state never depends on its parent's records. Parents of a path that exists also exist.
 *
 * @param kind    what the record says
 * @param offset  write offset for {@link Kind#EXTENT}, otherwise 0
 * @param length  bytes of an extent, new size for {@link Kind#TRUNCATE}, file size for {@link Kind#KEYFRAME}
 * @param content the bytes of an extent or keyframe, otherwise {@code null}
 * @param mode    permission bits after this record (and file type bits where known)
 * @param target  symlink target for {@link Kind#SYMLINK}, source path for {@link Kind#RENAME} and
 *                {@link Kind#LINK}, otherwise {@code null}
 * @param flags   a combination of {@code FLAG_*} bits
 * @param data    the bytes of a small {@link Kind#EXTENT} kept in the record itself instead of the content
 *                store ({@code content} is then {@code null}); otherwise {@code null}
 */
public record VersionRecord(Kind kind, long offset, long length, ContentHash content, int mode, byte[] target,
                            int flags, byte[] data) {

    /** The state from this record on is not known byte for byte (docs/architecture.md §3). */
    public static final int FLAG_APPROXIMATE = 1;
    /** The record comes from the baseline taken before the command started. */
    public static final int FLAG_BASELINE = 1 << 1;

    /** Kinds of version record; each has a stable one-byte code. */
    public enum Kind {
        /** The whole content of a regular file. */
        KEYFRAME(1),
        /** {@code length} bytes of {@code content} written at {@code offset}. */
        EXTENT(2),
        /** The size set to {@code length}. */
        TRUNCATE(3),
        /** The path no longer exists. */
        DELETE(4),
        /** A directory exists at the path. */
        DIRECTORY(5),
        /** A symlink to {@code target} exists at the path. */
        SYMLINK(6),
        /** The permission bits changed to {@code mode}. */
        MODE(7),
        /** The file now at the path was renamed from {@code target}. */
        RENAME(8),
        /** The path is a hard link to {@code target}. */
        LINK(9);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** @throws IllegalArgumentException for an unknown code */
        public static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown version kind " + code);
        }
    }

    public VersionRecord {
        Objects.requireNonNull(kind, "kind");
    }

    /** A record without inline data. */
    public VersionRecord(Kind kind, long offset, long length, ContentHash content, int mode, byte[] target, int flags) {
        this(kind, offset, length, content, mode, target, flags, null);
    }

    /** Whether the given flag bit is set. */
    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionRecord r && kind == r.kind && offset == r.offset && length == r.length
                && Objects.equals(content, r.content) && mode == r.mode && flags == r.flags
                && Arrays.equals(target, r.target) && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Objects.hash(kind, offset, length, content, mode, flags) + Arrays.hashCode(target))
                + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "VersionRecord[" + kind + " off=" + offset + " len=" + length + " content=" + content
                + " mode=" + Integer.toOctalString(mode)
                + (target == null ? "" : " target=" + new String(target, java.nio.charset.StandardCharsets.UTF_8))
                + (data == null ? "" : " data=" + data.length + "B") + " flags=" + flags + "]";
    }
}
