package dev.timemachine.capture.ebpf;

import dev.timemachine.api.ApproximateReason;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Files opened with O_TMPFILE, which the capture names by their open file ({@code file_key}): their own path is
 * the unnamed {@code dir/#inode} even after {@code linkat} names them. What happens to one before it is linked is
 * held here and delivered under its name at the link, at the link's instant, as if the file had appeared then
 * with those bytes (docs/architecture.md §3); what happens after goes to that name. Not thread-safe:
 * used by the decoder's thread only.
 */
final class Tmpfiles {
    /** Payload bytes held for all unlinked files together; beyond it a file is re-read at its link, approximate. */
    static final long MAX_HELD_BYTES = 64L << 20;

    private static final class File {
        /** The name linkat gave it, or null. */
        byte[] name;
        /** Its name was unlinked: it is invisible in the tree again. */
        boolean gone;
        final List<FsEvent> held = new ArrayList<>();
        long heldBytes;
        /** Why its bytes at the link are not all held, or null. */
        ApproximateReason reason;
    }

    private final Map<Long, File> files = new HashMap<>();
    private long heldBytes;

    /** Whether {@code key} names a file opened O_TMPFILE that is still open. */
    boolean has(long key) {
        return !files.isEmpty() && files.containsKey(key); // every write asks: no boxing while there are none
    }

    /** A PATH record bound {@code key} to a file opened O_TMPFILE. */
    void opened(long key) {
        files.putIfAbsent(key, new File());
    }

    /** Its last descriptor went away: an unlinked file is gone with it. */
    void closed(long key) {
        File f = files.isEmpty() ? null : files.remove(key);
        if (f != null) {
            heldBytes -= f.heldBytes;
        }
    }

    /** {@code e} about the file of {@code key}, under the file's name; null while it has none (held, or dropped). */
    FsEvent resolve(long key, FsEvent e) {
        File f = files.computeIfAbsent(key, k -> new File());
        if (f.name != null) {
            return renamed(e, f.name, e.timeNs());
        }
        if (f.gone || f.reason != null) {
            return null;
        }
        if (e.op() == Op.REREAD || e.op() == Op.LOST) {
            approximate(f, e.op() == Op.LOST ? ApproximateReason.LOST : ApproximateReason.ofCode(e.mode()));
        } else if (heldBytes + e.payload().length > MAX_HELD_BYTES) {
            approximate(f, ApproximateReason.TMPFILE);
        } else {
            f.held.add(e);
            f.heldBytes += e.payload().length;
            heldBytes += e.payload().length;
        }
        return null;
    }

    /**
     * The file of {@code key} was linked at {@code link}'s path: what to deliver. Its first name is a CREATE
     * with its mode and everything held, at the link's instant; a later one is a plain LINK.
     */
    List<FsEvent> link(long key, FsEvent link) {
        File f = files.computeIfAbsent(key, k -> new File());
        long t = link.timeNs();
        if (f.name != null) {
            return List.of(new FsEvent(t, link.pid(), link.tid(), Op.LINK, f.name, link.path(), 0, 0, 0, null, 0));
        }
        List<FsEvent> out = new ArrayList<>(f.held.size() + 2);
        out.add(new FsEvent(t, link.pid(), link.tid(), Op.CREATE, link.path(), null, 0, 0, link.mode(), null, 0));
        if (f.gone || f.reason != null) {
            ApproximateReason why = f.reason != null ? f.reason : ApproximateReason.TMPFILE;
            out.add(new FsEvent(t, link.pid(), link.tid(), Op.REREAD, link.path(), null, 0, 0, why.code(), null,
                    FsEvent.FLAG_APPROXIMATE));
        } else {
            for (FsEvent e : f.held) {
                out.add(renamed(e, link.path(), t));
            }
        }
        heldBytes -= f.heldBytes;
        f.held.clear();
        f.heldBytes = 0;
        f.reason = null;
        f.gone = false;
        f.name = link.path();
        return out;
    }

    /** Keeps the names of linked files current through renames and unlinks of them or their directories. */
    void observe(FsEvent e) {
        if (files.isEmpty()) {
            return;
        }
        for (File f : files.values()) {
            if (f.name == null) {
                continue;
            }
            switch (e.op()) {
                case UNLINK, RMDIR -> {
                    if (under(f.name, e.path())) {
                        f.name = null;
                        f.gone = true;
                    }
                }
                case RENAME -> f.name = moved(f.name, e.path(), e.path2());
                case EXCHANGE -> {
                    byte[] there = moved(f.name, e.path(), e.path2());
                    f.name = there != f.name ? there : moved(f.name, e.path2(), e.path());
                }
                default -> {
                }
            }
        }
    }

    private void approximate(File f, ApproximateReason why) {
        f.reason = why;
        heldBytes -= f.heldBytes;
        f.held.clear();
        f.heldBytes = 0;
    }

    /** {@code name} with its prefix {@code from} replaced by {@code to}; {@code name} itself if not under it. */
    private static byte[] moved(byte[] name, byte[] from, byte[] to) {
        if (to == null || !under(name, from)) {
            return name;
        }
        byte[] out = Arrays.copyOf(to, to.length + name.length - from.length);
        System.arraycopy(name, from.length, out, to.length, name.length - from.length);
        return out;
    }

    private static boolean under(byte[] name, byte[] dir) {
        return Arrays.equals(name, dir) || (name.length > dir.length && name[dir.length] == '/'
                && Arrays.equals(name, 0, dir.length, dir, 0, dir.length));
    }

    private static FsEvent renamed(FsEvent e, byte[] path, long timeNs) {
        return new FsEvent(timeNs, e.pid(), e.tid(), e.op(), path, e.path2(), e.offset(), e.length(), e.mode(),
                e.payload(), e.flags());
    }
}
