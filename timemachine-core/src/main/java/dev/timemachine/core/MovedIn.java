package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A rename or hard link into the roots from outside them ({@code mv /tmp/build/out.txt .}, a tree unpacked
 * elsewhere and moved in): the capture saw the name change, not the bytes, so what came in is read from disk as
 * soon as the capture delivers the rename, and the rename becomes the events that make it: the destination
 * removed, then its directories, files (created with their mode, then written) and symlinks, at the rename's
 * instant. What is read is what came in only if it has not changed since: every entry's mtime must lie before
 * the rename by more than the file-time granularity ({@link OutsideCopy#STAMP_GRANULARITY_NS}; writing a file,
 * or adding or removing a directory's entries, sets it), and each file must read the same size and mtime before
 * and after. Otherwise, or for a tree too large to read on the consumer's thread, the rename stays as it is
 * and its compaction imports the destination from disk later, approximate: a file written just before it was
 * moved in (a tool's temporary file) is approximate.
 */
final class MovedIn {
    /** Larger trees are left to the compactor: the consumer must get back to the ring buffer. */
    static final int MAX_ENTRIES = 10_000;
    static final long MAX_BYTES = 64L << 20;

    private MovedIn() {
    }

    /** Whether {@code e} brings a path into the roots from outside them. */
    static boolean bringsIn(FsEvent e, PathFilter filter) {
        return (e.op() == Op.RENAME || e.op() == Op.LINK) && e.path2() != null && !filter.accepts(e.path())
                && filter.accepts(e.path2());
    }

    /**
     * Hands {@code sink} the events that make what {@code e} brought in.
     *
     * @return false, having handed it nothing, if what came in could not be read as it came
     */
    static boolean resolve(FsEvent e, PathFilter filter, Consumer<FsEvent> sink) {
        long before = OutsideCopy.wallTimeOf(e.timeNs()) - OutsideCopy.STAMP_GRANULARITY_NS;
        List<FsEvent> out = new ArrayList<>();
        out.add(event(e, Op.UNLINK, e.path2(), null, 0, null));
        try {
            List<DiskReader.Entry> entries = new DiskReader().walkMetadata(e.path2(), filter);
            if (entries.isEmpty() || entries.size() > MAX_ENTRIES
                    || entries.stream().mapToLong(DiskReader.Entry::size).sum() > MAX_BYTES) {
                return false;
            }
            for (DiskReader.Entry entry : entries) {
                if (entry.mtimeNs() > before) {
                    return false; // changed since it came in, or just before: cannot tell
                }
                switch (entry.type()) {
                    case DIRECTORY -> out.add(event(e, Op.MKDIR, entry.path(), null, entry.mode(), null));
                    case SYMLINK -> out.add(event(e, Op.SYMLINK, entry.path(), entry.target(), 0, null));
                    case REGULAR -> {
                        DiskReader.Entry read = DiskReader.withContent(entry);
                        DiskReader.Entry after = DiskReader.stat(DiskReader.toPath(entry.path()).orElseThrow());
                        if (read.content() == null || read.content().length != entry.size() || after == null
                                || after.size() != entry.size()
                                || after.mtimeNs() != entry.mtimeNs() || after.ino() != entry.ino()) {
                            return false;
                        }
                        out.add(event(e, Op.CREATE, entry.path(), null, entry.mode(), null));
                        writes(e, entry.path(), 0, read.content(), 0, out::add);
                    }
                }
            }
        } catch (RuntimeException unreadable) {
            return false;
        }
        out.forEach(sink);
        return true;
    }

    /**
     * {@code content}, read from disk for {@code cause}, as the writes of it to {@code path} at {@code offset}, a
     * piece at a time, each with {@code flags}.
     */
    static void writes(FsEvent cause, byte[] path, long offset, byte[] content, int flags, Consumer<FsEvent> sink) {
        for (int at = 0; at < content.length; at += OutsideCopy.PIECE) {
            int n = Math.min(OutsideCopy.PIECE, content.length - at);
            byte[] piece = at == 0 && n == content.length ? content : Arrays.copyOfRange(content, at, at + n);
            sink.accept(new FsEvent(cause.timeNs(), cause.pid(), cause.tid(), Op.WRITE, path, null, offset + at, n, 0,
                    piece, flags | (at + n < content.length ? FsEvent.FLAG_CHUNK_MORE : 0)));
        }
    }

    private static FsEvent event(FsEvent cause, Op op, byte[] path, byte[] path2, int mode, byte[] payload) {
        return new FsEvent(cause.timeNs(), cause.pid(), cause.tid(), op, path, path2, 0, 0, mode, payload,
                op == Op.MKDIR ? FsEvent.FLAG_DIRECTORY : 0);
    }
}
