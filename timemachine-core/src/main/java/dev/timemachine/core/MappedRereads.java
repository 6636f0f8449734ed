package dev.timemachine.core;

import dev.timemachine.api.ApproximateReason;
import dev.timemachine.api.FileState;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Files written through a shared mapping, read on the consumer's thread at the points where what a process stored
 * through it is in the file ({@link FsEvent#FLAG_SYNCED}: msync, munmap, exec, exit; docs/architecture.md §3).
 * An msync or munmap names the mapped range: only it can hold stores, so only it is read, and becomes a write of
 * those bytes at that instant, which makes the file exact again once nothing maps it any more. An exit or exec
 * does not name ranges: the whole file is read, as a truncate to 0 and the writes of its bytes. Still mapped
 * elsewhere, the file is approximate again right after.
 *
 * <p>The read happens a little after the instant it stands for. What a tracked process changed in the file in
 * between arrives after the re-read, with an earlier time than the read's: so the events that follow a re-read
 * are held until one comes from after the read (or the poll ends), and if one of them touched what was read the
 * re-read is marked approximate. A range above {@link MovedIn#MAX_BYTES}, or a file that changes while read, is
 * left to the compactor, which reads it from disk later, approximate. Used by the consumer's thread only.
 */
final class MappedRereads {
    private static final int READ_ATTEMPTS = 3;
    private static final byte[] UNSTABLE = new byte[0];
    /** The re-read's events, then those that came after it, until one from after the read; empty: none held. */
    private final List<FsEvent> held = new ArrayList<>();
    private FsEvent reread;
    private long from;
    private long to;
    private long readNs;
    /** Where, in {@link #held}, the events that came after the re-read start. */
    private int after;
    private boolean touched;

    /** An event on its way to {@code next}, which a re-read may hold for a while. */
    void offer(FsEvent e, Consumer<FsEvent> next) {
        if (e.op() == Op.REREAD && e.has(FsEvent.FLAG_SYNCED)) {
            flush(next);
            reread(e, next);
        } else if (reread == null) {
            next.accept(e);
        } else if (e.timeNs() > readNs) {
            flush(next);
            next.accept(e);
        } else {
            touched |= touches(e);
            held.add(e);
        }
    }

    /** Hands on what is held: at the end of each poll, when whatever the read could have missed has come. */
    void flush(Consumer<FsEvent> next) {
        if (reread == null) {
            return;
        }
        held.subList(0, after).forEach(next);
        if (touched) {
            next.accept(approximate(reread));
        }
        held.subList(after, held.size()).forEach(next);
        held.clear();
        reread = null;
        touched = false;
    }

    /** Whether {@code e}, which happened before the read, may have changed what it read. */
    private boolean touches(FsEvent e) {
        boolean named = Arrays.equals(e.path(), reread.path())
                || (e.path2() != null && Arrays.equals(e.path2(), reread.path()));
        if (!named) {
            return false;
        }
        boolean into = Arrays.equals(e.path(), reread.path());
        return switch (e.op()) {
            // a write, a copy into it, a new mapping or another re-read: only where it overlaps the range read
            case WRITE, COPY, REREAD -> into && (e.length() == 0 || (e.offset() < to && e.offset() + e.length() > from));
            case TRUNCATE -> into && e.length() < to;
            case CREATE, CHMOD -> false;
            default -> true;
        };
    }

    private void reread(FsEvent e, Consumer<FsEvent> next) {
        boolean whole = e.length() == 0;
        byte[] bytes = read(e, whole);
        if (bytes == null) {
            next.accept(e); // gone (a deleted file stays gone), too large or changing: the compactor's to read
            return;
        }
        readNs = System.nanoTime();
        if (whole) {
            held.add(new FsEvent(e.timeNs(), e.pid(), e.tid(), Op.TRUNCATE, e.path(), null, 0, 0, 0, null, 0));
        }
        int flags = e.has(FsEvent.FLAG_APPROXIMATE) ? 0 : FsEvent.FLAG_SYNCED;
        MovedIn.writes(e, e.path(), whole ? 0 : e.offset(), bytes, flags, held::add);
        if (e.has(FsEvent.FLAG_APPROXIMATE)) {
            held.add(approximate(e)); // still mapped: stores may follow at any time
        }
        reread = e;
        from = whole ? 0 : e.offset();
        to = whole ? Long.MAX_VALUE : e.offset() + bytes.length;
        after = held.size();
    }

    /**
     * The bytes of the file's range (all of it if {@code whole}) that are there, or null if they cannot be read as
     * they are: a read during which the file's size or mtime moved (another write, in or out of the range) is tried
     * again a few times.
     */
    private static byte[] read(FsEvent e, boolean whole) {
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
            byte[] b = readOnce(e, whole);
            if (b != UNSTABLE) {
                return b;
            }
        }
        return null;
    }

    private static byte[] readOnce(FsEvent e, boolean whole) {
        Optional<Path> p = DiskReader.toPath(e.path());
        DiskReader.Entry before = p.map(DiskReader::stat).orElse(null);
        if (before == null || before.type() != FileState.Type.REGULAR) {
            return null;
        }
        long from = whole ? 0 : Math.min(e.offset(), before.size());
        long n = whole ? before.size() : Math.min(e.length(), before.size() - from);
        if (n > MovedIn.MAX_BYTES) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate((int) n);
        try (FileChannel ch = FileChannel.open(p.get(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (b.hasRemaining() && ch.read(b, from + b.position()) >= 0) {
                // until the range is read, or the file ends (it shrank: checked below)
            }
        } catch (IOException | SecurityException ex) {
            return null;
        }
        DiskReader.Entry check = DiskReader.stat(p.get());
        boolean same = check != null && check.size() == before.size() && check.mtimeNs() == before.mtimeNs()
                && check.ino() == before.ino() && !b.hasRemaining();
        return same ? b.array() : UNSTABLE;
    }

    /** From {@code e}'s instant on the file is approximate, as a mapping makes it, without a read. */
    private static FsEvent approximate(FsEvent e) {
        return new FsEvent(e.timeNs(), e.pid(), e.tid(), Op.REREAD, e.path(), null, 0, 0,
                ApproximateReason.MAPPED.code(), null, FsEvent.FLAG_APPROXIMATE);
    }
}
