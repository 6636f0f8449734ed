package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Files outside the roots whose bytes the capture saw whole: created (or truncated) empty by a tracked process
 * during the recording and written only with writes since. A tool that writes its output elsewhere and renames it
 * in (the JDK's {@code jar} writes a temporary file in {@code java.io.tmpdir}) brings in exactly those bytes,
 * however recently they were written: the rename becomes a create and the writes of them, at its instant, where
 * {@link MovedIn} could only read the file from disk and call it approximate when it was written just before; a
 * copy from one into the roots becomes the writes of its range, where {@link OutsideCopy} would.
 * Anything else done to such a file (a copy into it, a mapping, a lost record, an fallocate) forgets it, and so
 * does holding more than {@link #MAX_BYTES} or {@link #MAX_FILES} for all of them together (the oldest go
 * first). Used by the consumer's thread only, for the events outside the roots.
 */
final class OutsideFiles {
    static final long MAX_BYTES = 64L << 20;
    /** Files known at most (a build creates many outside the roots that never come in): the oldest go first. */
    static final int MAX_FILES = 1 << 16;

    /** A file's bytes, in the first {@code size} bytes of {@code bytes}, and its mode (-1: not known). */
    private static final class Known {
        byte[] bytes = new byte[0];
        int size;
        int mode;

        Known(int mode) {
            this.mode = mode;
        }
    }

    private final Map<ByteBuffer, Known> files = new LinkedHashMap<>();
    private long held;

    /** An event about a path outside the roots: what it does to the files known here. */
    void observe(FsEvent e) {
        ByteBuffer path = ByteBuffer.wrap(e.path());
        switch (e.op()) {
            case CREATE -> {
                if (e.length() == 0) {
                    forget(path);
                    track(path, new Known(e.mode())); // empty once open, new or not: its bytes are known
                }
            }
            case TRUNCATE -> {
                Known k = files.get(path);
                if (k == null && e.length() == 0) {
                    track(path, new Known(-1));
                } else if (k != null && room(path, k, e.length())) {
                    Arrays.fill(k.bytes, (int) Math.min(k.size, e.length()), k.size, (byte) 0);
                    k.size = (int) e.length();
                }
            }
            case WRITE -> {
                Known k = files.get(path);
                if (k != null && (e.has(FsEvent.FLAG_APPROXIMATE) || e.payload().length != e.length())) {
                    forget(path);
                } else if (k != null && room(path, k, e.offset() + e.length())) {
                    System.arraycopy(e.payload(), 0, k.bytes, (int) e.offset(), e.payload().length);
                    k.size = (int) Math.max(k.size, e.offset() + e.length());
                }
            }
            case CHMOD -> {
                Known k = files.get(path);
                if (k != null) {
                    k.mode = e.mode();
                }
            }
            case MKDIR, SYMLINK, EXEC, FORK -> {
                // no file's bytes change
            }
            case RENAME, EXCHANGE -> {
                if (!files.isEmpty()) {
                    moved(e.path(), e.path2(), e.op() == Op.EXCHANGE);
                }
            }
            case LINK -> {
                // two names of one file: a write through the other would go unseen here
                forget(path);
                forget(ByteBuffer.wrap(e.path2()));
            }
            default -> forget(path); // unlink, rmdir, fallocate, copy, re-read, loss: not known any more
        }
    }

    /**
     * What {@code e}, a rename or link into the roots, brings in if its source is a file known here: the
     * destination removed, then created with the file's mode and written with its bytes; null otherwise. What
     * was known under the source goes with it.
     */
    List<FsEvent> bringIn(FsEvent e) {
        Known k = files.get(ByteBuffer.wrap(e.path()));
        List<FsEvent> out = null;
        int mode = k == null ? -1 : k.mode >= 0 ? k.mode : DiskReader.toPath(e.path2()).map(DiskReader::stat)
                .map(DiskReader.Entry::mode).orElse(-1);
        if (mode >= 0) {
            out = new ArrayList<>();
            out.add(new FsEvent(e.timeNs(), e.pid(), e.tid(), Op.UNLINK, e.path2(), null, 0, 0, 0, null, 0));
            out.add(new FsEvent(e.timeNs(), e.pid(), e.tid(), Op.CREATE, e.path2(), null, 0, 0, mode, null, 0));
            MovedIn.writes(e, e.path2(), 0, Arrays.copyOf(k.bytes, k.size), 0, out::add);
        }
        if (!files.isEmpty()) {
            if (e.op() == Op.LINK) {
                forget(ByteBuffer.wrap(e.path()));
            } else {
                files.keySet().removeIf(p -> {
                    boolean under = PathFilter.isUnder(p.array(), e.path());
                    held -= under ? files.get(p).bytes.length : 0;
                    return under;
                });
            }
        }
        return out;
    }

    /**
     * What {@code copy}, from a file outside the roots into them, wrote if its source is a file known here that
     * holds the whole range: the writes of those bytes; null otherwise.
     */
    List<FsEvent> copied(FsEvent copy) {
        Known k = files.get(ByteBuffer.wrap(copy.path2()));
        long from = copy.sourceOffset();
        if (k == null || from < 0 || from + copy.length() > k.size) {
            return null;
        }
        List<FsEvent> out = new ArrayList<>();
        MovedIn.writes(copy, copy.path(), copy.offset(), Arrays.copyOfRange(k.bytes, (int) from,
                (int) (from + copy.length())), 0, out::add);
        return out;
    }

    /** Makes room in {@code k} for {@code size} bytes; false, the file forgotten, past what may be held. */
    private boolean room(ByteBuffer path, Known k, long size) {
        if (size > MAX_BYTES) {
            forget(path);
            return false;
        }
        if (size > k.bytes.length) {
            int grown = (int) Math.min(MAX_BYTES, Math.max(size, 2L * k.bytes.length));
            held += grown - k.bytes.length;
            k.bytes = Arrays.copyOf(k.bytes, grown);
            // the oldest others go until what is held fits
            for (Iterator<Known> it = files.values().iterator(); held > MAX_BYTES && it.hasNext(); ) {
                Known old = it.next();
                if (old != k) {
                    held -= old.bytes.length;
                    it.remove();
                }
            }
        }
        return true;
    }

    /** A rename (or, with {@code exchange}, an exchange) of {@code a} and {@code b}: the files under them follow. */
    private void moved(byte[] a, byte[] b, boolean exchange) {
        Map<ByteBuffer, Known> moved = new LinkedHashMap<>();
        for (Iterator<Map.Entry<ByteBuffer, Known>> it = files.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ByteBuffer, Known> en = it.next();
            byte[] p = en.getKey().array();
            byte[] dest = PathFilter.isUnder(p, a) ? rebased(p, a, b)
                    : PathFilter.isUnder(p, b) ? (exchange ? rebased(p, b, a) : null) : p;
            if (dest != p) {
                it.remove();
                if (dest == null) {
                    held -= en.getValue().bytes.length; // replaced by the rename
                } else {
                    moved.put(ByteBuffer.wrap(dest), en.getValue());
                }
            }
        }
        files.putAll(moved);
    }

    private static byte[] rebased(byte[] p, byte[] from, byte[] to) {
        byte[] dest = Arrays.copyOf(to, to.length + p.length - from.length);
        System.arraycopy(p, from.length, dest, to.length, p.length - from.length);
        return dest;
    }

    private void track(ByteBuffer path, Known k) {
        files.put(path, k);
        for (Iterator<Known> it = files.values().iterator(); files.size() > MAX_FILES; ) {
            held -= it.next().bytes.length;
            it.remove();
        }
    }

    private void forget(ByteBuffer path) {
        Known k = files.isEmpty() ? null : files.remove(path);
        if (k != null) {
            held -= k.bytes.length;
        }
    }
}
