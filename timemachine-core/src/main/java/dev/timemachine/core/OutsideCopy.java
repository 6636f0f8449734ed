package dev.timemachine.core;

import dev.timemachine.api.ApproximateReason;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link Op#COPY} from a file outside the recorded roots (a {@code cp} from {@code /usr/lib}): no recorded state
 * holds the source's bytes, so they are read from the source as soon as the capture delivers the copy, and the
 * copy becomes the writes of those bytes. They are the bytes of the copy's instant only if the source has not
 * changed since: its last change (the later of mtime and ctime; ctime cannot be set back) must lie before the
 * copy by more than the kernel's coarse file-time granularity, and device, inode, size and both times must be the
 * same after the read as before. Otherwise, or if it cannot be read, the destination is re-read instead,
 * approximate. A source written just before it was copied is therefore approximate; those are mostly in the
 * roots, whose copies are rebuilt from the recorded source instead.
 */
final class OutsideCopy {
    /** Bytes per write event a copy becomes (a syscall's chunks, as the capture delivers large writes). */
    static final int PIECE = 1 << 20;
    private static final String STAT = "unix:dev,ino,size,lastModifiedTime,ctime";
    /**
     * How far a file time may lag the change it stamps: the kernel stamps them from a clock read at the last
     * tick (4-10 ms), with room for the error of converting the copy's monotonic time to wall time here.
     */
    static final long STAMP_GRANULARITY_NS = 50_000_000L;

    private OutsideCopy() {
    }

    /**
     * Hands {@code sink} the events {@code copy} stands for: the writes of the source's bytes, a piece at a time,
     * followed by a re-read of the destination, approximate, if they could not all be read unchanged.
     */
    static void resolve(FsEvent copy, Consumer<FsEvent> sink) {
        if (!copyRead(copy, sink)) {
            sink.accept(new FsEvent(copy.timeNs(), copy.pid(), copy.tid(), Op.REREAD, copy.path(), null, copy.offset(),
                    copy.length(), ApproximateReason.COPIED_FROM_OUTSIDE.code(), null, FsEvent.FLAG_APPROXIMATE));
        }
    }

    private static boolean copyRead(FsEvent copy, Consumer<FsEvent> sink) {
        Optional<Path> source = DiskReader.toPath(copy.path2());
        if (source.isEmpty()) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(source.get(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            Map<String, Object> before = Files.readAttributes(source.get(), STAT, LinkOption.NOFOLLOW_LINKS);
            if (lastChangeNs(before) > wallTimeOf(copy.timeNs()) - STAMP_GRANULARITY_NS) {
                return false; // it may have changed since the copy
            }
            for (long done = 0; done < copy.length(); ) {
                ByteBuffer piece = ByteBuffer.allocate((int) Math.min(PIECE, copy.length() - done));
                while (piece.hasRemaining()) {
                    if (ch.read(piece, copy.sourceOffset() + done + piece.position()) < 0) {
                        return false; // shorter than what was copied: it changed since
                    }
                }
                boolean last = done + piece.capacity() == copy.length();
                sink.accept(new FsEvent(copy.timeNs(), copy.pid(), copy.tid(), Op.WRITE, copy.path(), null,
                        copy.offset() + done, piece.capacity(), 0, piece.array(), last ? 0 : FsEvent.FLAG_CHUNK_MORE));
                done += piece.capacity();
            }
            return before.equals(Files.readAttributes(source.get(), STAT, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long lastChangeNs(Map<String, Object> stat) {
        return Math.max(nanos((FileTime) stat.get("lastModifiedTime")), nanos((FileTime) stat.get("ctime")));
    }

    static long nanos(FileTime t) {
        Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /**
     * The wall time of a CLOCK_MONOTONIC instant (the capture's clock, and {@link System#nanoTime()}'s here). The
     * system's clocks, not the options' injected ones: both stamps compared, the event's and the file's, are the
     * kernel's.
     */
    static long wallTimeOf(long monotonicNs) {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano() - (System.nanoTime() - monotonicNs);
    }
}
