package dev.timemachine.core;

import dev.timemachine.api.ApproximateReason;
import dev.timemachine.api.ContentHash;
import dev.timemachine.api.Fallocate;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.Op;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.VersionRecord.Kind;
import dev.timemachine.core.TreeState.Dir;
import dev.timemachine.core.TreeState.File;
import dev.timemachine.core.TreeState.Inode;
import dev.timemachine.core.TreeState.Node;
import dev.timemachine.core.TreeState.Symlink;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns journal entries, in journal order, into version records over the tree state, following the rebuild
 * contract of {@link VersionRecord}: one record per path and event, a directory rename expanded into one record
 * per moved path. A file whose change records since its last base would cost twice its size to replay gets a
 * keyframe instead, so any version rebuilds from at most about three times the file's size.
 *
 * <p>It stores nothing itself: records and the content they refer to wait in {@link #pending()} and
 * {@link #pendingContent()} until the compactor writes them. For the keyframes of small files it holds their
 * bytes as the records build them ({@link Inode#held}), within a memory budget; only a file whose bytes it does
 * not hold (a baseline file, a large one) is read back through the {@link KeyframeSource}.
 *
 * <p>Deterministic for a given tree state and entries. Not thread-safe: owned by the compactor.
 */
final class VersionWriter {
    /** The bytes of a path as the records written so far rebuild them (after storing what is pending). */
    @FunctionalInterface
    interface KeyframeSource {
        byte[] contentAt(byte[] path, long timeNs, long maxSequence);
    }

    /** The bytes of a payload the journal stored, by hash: for the few writes whose bytes the writer needs. */
    @FunctionalInterface
    interface PayloadSource {
        byte[] payload(ContentHash hash);
    }

    /**
     * Below this a file is keyframed as soon as its change records would cost this much to replay: small files
     * written in many small writes stay cheap to export.
     */
    private static final long KEYFRAME_MIN_BYTES = 64L << 10;
    /**
     * Payloads up to this size stay in their extent record: no hash, lookup or separate write per small write,
     * and no content fetch when it is replayed. Larger ones go to the content store, whose blob files keep
     * them out of the LSM compactions that rewrite the version index, and where repeated blocks are stored
     * once (with 4 KiB inline, the profile of a 2 GiB dd showed the version index among its top costs).
     */
    static final int INLINE_MAX = 512;
    /** Keyframes are built in memory; bigger files rely on their extents alone. */
    private static final long KEYFRAME_MAX_FILE = 1L << 30;
    /** What one change record is assumed to cost beyond its bytes when replayed. */
    private static final long CHANGE_COST = 256;
    /**
     * What a small write at the file's end costs beyond its bytes: the rebuild copies such writes into one
     * growing segment ({@link ContentLayout}), so a log grown by a million 64-byte writes exports as fast from its
     * writes as from a keyframe (docs/storage.md, "Keyframes"), and gets none.
     */
    private static final long APPEND_COST = 16;
    /**
     * Held bytes of all files together, at most (an eighth of the heap, up to 256 MiB); the least recently
     * written give theirs up first. A file whose bytes are not held is read back for its keyframe: for a log
     * grown by a million 64-byte writes, that read-back was 42% of compaction.
     */
    private static final long HOLD_BUDGET = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);
    /** Larger punched or zeroed ranges are taken from disk, approximate, rather than written as zeros. */
    private static final int ZEROS_MAX = 64 << 20;
    /** Files up to this size have their bytes held while they are written, for their keyframes. */
    static final int HOLD_MAX_FILE = (int) (HOLD_BUDGET / 4);

    private final TreeState tree;
    private final PathFilter filter;
    private final DiskImporter importer;
    private final KeyframeSource keyframes;
    private final PayloadSource payloads;
    private final List<Version> pending = new ArrayList<>();
    private final Map<ContentHash, byte[]> pendingContent = new LinkedHashMap<>();
    private final List<GrowingContent.Chunked> pendingChunked = new ArrayList<>();
    private final Set<ByteBuffer> approximatePaths = new HashSet<>();
    /** Inodes whose bytes are held, least recently written first. */
    private final LinkedHashMap<Inode, Boolean> holding = new LinkedHashMap<>(16, 0.75f, true);
    /**
     * Writes to held files not yet copied into their held bytes, oldest first: a payload the journal stored is
     * fetched only when the bytes are needed (a keyframe, a truncate, a copy from the file), and most files (a
     * file written once, in order) never need them. Fetching every one was most of compacting an extracted tar.
     */
    private final Map<Inode, List<Deferred>> deferred = new IdentityHashMap<>();
    /** Held bytes and deferred payload bytes of all files together, bounded by {@link #HOLD_BUDGET}. */
    private long heldBytes;
    private ContentHash empty;
    private long eventCount;
    private long byteCount;
    private long versionCount;

    VersionWriter(TreeState tree, PathFilter filter, DiskImporter importer, KeyframeSource keyframes,
                  PayloadSource payloads) {
        this.tree = tree;
        this.filter = filter;
        this.importer = importer;
        this.keyframes = keyframes;
        this.payloads = payloads;
    }

    /** Versions written since the compactor last took them, in order. */
    List<Version> pending() {
        return pending;
    }

    /** The content those versions refer to, by hash. */
    Map<ContentHash, byte[]> pendingContent() {
        return pendingContent;
    }

    /** The keyframes among that content that are split into chunks already ({@link GrowingContent}). */
    List<GrowingContent.Chunked> pendingChunked() {
        return pendingChunked;
    }

    long events() {
        return eventCount;
    }

    long bytes() {
        return byteCount;
    }

    long versions() {
        return versionCount;
    }

    /** The paths whose versions are approximate. */
    List<byte[]> approximatePaths() {
        return approximatePaths.stream().map(b -> Arrays.copyOf(b.array(), b.limit())).toList();
    }

    int approximateFiles() {
        return approximatePaths.size();
    }

    void apply(JournalTail.Held held) {
        apply(held, false);
    }

    /**
     * Which of a chunk's entries are capture re-reads that a later re-read of the same path in the chunk makes
     * redundant, nothing else touching the path in between (io_uring re-reads a file at every completed write):
     * those only mark the file approximate from their instant, and the last one reads it, once. A rename,
     * exchange or removal in between keeps every re-read before it.
     */
    static boolean[] supersededRereads(List<JournalTail.Held> chunk) {
        boolean[] superseded = new boolean[chunk.size()];
        if (chunk.stream().noneMatch(h -> h.entry().event().op() == Op.REREAD)) {
            return superseded; // the usual chunk: nothing to look at per path
        }
        Set<ByteBuffer> rereadLater = new HashSet<>();
        for (int i = chunk.size() - 1; i >= 0; i--) {
            FsEvent e = chunk.get(i).entry().event();
            ByteBuffer path = ByteBuffer.wrap(e.path());
            switch (e.op()) {
                case REREAD -> superseded[i] = !rereadLater.add(path);
                case RENAME, EXCHANGE, UNLINK, RMDIR, LINK -> rereadLater.clear();
                default -> rereadLater.remove(path);
            }
        }
        return superseded;
    }

    /** Applies an entry; {@code supersededReread}: a re-read that a later one makes redundant, see above. */
    void apply(JournalTail.Held held, boolean supersededReread) {
        JournalEntry entry = held.entry();
        FsEvent e = entry.event();
        long t = e.timeNs();
        long seq = entry.sequence();
        eventCount++;
        byteCount += held.payloadLength();
        boolean approx = e.has(FsEvent.FLAG_APPROXIMATE);
        switch (e.op()) {
            case WRITE -> {
                // what the last mapping stored, read back (MappedRereads): the bytes are known again, from a base
                boolean known = e.has(FsEvent.FLAG_SYNCED) && tree.get(e.path()) instanceof File f
                        && f.inode().approximate && f.inode().mappedOnly;
                write(e.path(), e.offset(), new Payload(e.payload(), held.payloadLength(), held.payloadHash()),
                        t, seq, approx, known);
            }
            case CREATE -> create(e.path(), e.mode(), t, seq);
            case TRUNCATE -> truncate(e.path(), e.length(), t, seq);
            case FALLOCATE -> fallocate(e.path(), e.mode(), e.offset(), e.length(), t, seq);
            case RENAME -> rename(e.path(), e.path2(), t, seq);
            case EXCHANGE -> exchange(e.path(), e.path2(), t, seq);
            case UNLINK, RMDIR -> {
                for (byte[] p : tree.subtree(e.path()).descendingKeySet()) {
                    remove(p);
                    record(p, t, seq, new VersionRecord(Kind.DELETE, 0, 0, null, 0, null, 0));
                }
            }
            case MKDIR -> {
                put(e.path(), new Dir(e.mode() & 07777));
                record(e.path(), t, seq, new VersionRecord(Kind.DIRECTORY, 0, 0, null, e.mode() & 07777, null, 0));
            }
            case CHMOD -> chmod(e.path(), e.mode() & 07777, t, seq);
            case SYMLINK -> {
                put(e.path(), new Symlink(e.path2()));
                record(e.path(), t, seq, new VersionRecord(Kind.SYMLINK, 0, 0, null, 0777, e.path2(), 0));
            }
            case LINK -> link(e.path(), e.path2(), t, seq);
            case REREAD -> {
                // one for a file unlinked since (SQLite unmaps -shm after unlinking it) is of no file in the
                // tree: a deleted file never comes back
                ApproximateReason why = ApproximateReason.ofCode(e.mode());
                // a new mapping (or one the consumer found still live) marks the file, which the consumer reads
                // where the stores are in it; a re-read it could not do (too large, changing) is read from disk
                boolean markOnly = supersededReread || (why == ApproximateReason.MAPPED && !e.has(FsEvent.FLAG_SYNCED));
                if (tree.get(e.path()) instanceof File && markOnly) {
                    markApproximate(fileOf(e.path(), t, seq), why, t, seq);
                } else if (tree.get(e.path()) instanceof File) {
                    reread(e.path(), why, t, seq);
                }
            }
            case COPY -> copy(e, t, seq);
            case LOST -> {
                // the source counts drops; a LOST naming a file says which one to take from disk
                if (e.path().length > 0 && tree.get(e.path()) instanceof File) {
                    reread(e.path(), ApproximateReason.LOST, t, seq);
                }
            }
        }
    }

    private void record(byte[] path, long t, long seq, VersionRecord r) {
        if (r.has(VersionRecord.FLAG_APPROXIMATE)) {
            approximatePaths.add(ByteBuffer.wrap(path));
        }
        pending.add(new Version(path, t, seq, r));
        versionCount++;
    }

    private ContentHash stash(byte[] bytes) {
        ContentHash h = ContentHash.sha256(bytes);
        pendingContent.putIfAbsent(h, bytes);
        return h;
    }

    /**
     * A write's payload: its bytes when they came with the event (always for small ones), else only the hash under
     * which the journal stored them, from which they are fetched if needed.
     */
    private final class Payload {
        private byte[] bytes;
        final int length;
        final ContentHash hash;

        Payload(byte[] bytes, int length, ContentHash hash) {
            this.bytes = bytes.length == length ? bytes : null;
            this.length = length;
            this.hash = hash;
        }

        byte[] bytes() {
            if (bytes == null) {
                bytes = payloads.payload(hash);
            }
            return bytes;
        }

        /** Whether the bytes are here, so that {@link #bytes} fetches nothing. */
        boolean hasBytes() {
            return bytes != null;
        }

        /** The hash the version record names; the journal stored these bytes, so nothing is stashed. */
        ContentHash stored() {
            return hash != null ? hash : ContentHash.sha256(bytes);
        }
    }

    private ContentHash emptyContent() {
        if (empty == null) {
            empty = stash(new byte[0]);
        }
        return empty;
    }

    private static int flags(Inode inode) {
        return inode.approximate ? inode.reason.in(0) : 0;
    }

    // ---- the tree, with the held bytes of inodes that leave it released ----

    private void put(byte[] path, Node node) {
        Node old = tree.get(path);
        tree.put(path, node);
        releaseIfGone(old);
    }

    private void remove(byte[] path) {
        Node old = tree.get(path);
        tree.remove(path);
        releaseIfGone(old);
    }

    private void releaseIfGone(Node old) {
        if (old instanceof File f && f.inode().names.isEmpty()) {
            release(f.inode());
        }
    }

    // ---- held bytes ----

    /** Holds {@code bytes} (exactly the file's content) for {@code inode}, if small enough; shared with a keyframe. */
    private void hold(Inode inode, byte[] bytes) {
        release(inode);
        if (bytes.length <= HOLD_MAX_FILE) {
            inode.held = bytes;
            inode.heldShared = true;
            heldBytes += bytes.length;
            holding.put(inode, Boolean.TRUE);
            evictOverBudget(inode);
        }
    }

    private void release(Inode inode) {
        if (inode.held != null) {
            forget(inode);
            holding.remove(inode);
        }
    }

    /** Gives up the held bytes (and so the hashing of keyframes made from them); the caller leaves {@link #holding}. */
    private void forget(Inode inode) {
        heldBytes -= inode.held.length;
        inode.held = null;
        inode.growing = null;
        takeDeferred(inode);
    }

    /** Removes the writes deferred for a file, which stop counting against the budget; null if there are none. */
    private List<Deferred> takeDeferred(Inode inode) {
        List<Deferred> writes = deferred.remove(inode);
        if (writes != null) {
            for (Deferred d : writes) {
                heldBytes -= d.payload().length;
            }
        }
        return writes;
    }

    /** A write to a held file whose bytes are copied in when the held bytes are next needed. */
    private record Deferred(long offset, Payload payload) {
    }

    /**
     * Takes a write into the held bytes of a file, now when its bytes are here and nothing waits before it, else
     * when they are next needed ({@link #applyDeferred}); releases them instead if the file outgrows holding.
     */
    private void holdWrite(Inode inode, long offset, Payload payload) {
        List<Deferred> waiting = deferred.get(inode);
        if (waiting == null && payload.hasBytes()) {
            copyIn(inode, offset, payload);
            return;
        }
        if (!fits(inode, offset + payload.length)) {
            return;
        }
        if (waiting == null) {
            waiting = new ArrayList<>();
            deferred.put(inode, waiting);
        }
        waiting.add(new Deferred(offset, payload));
        heldBytes += payload.length;
        written(inode);
    }

    /**
     * Copies the deferred writes of a held file into its held bytes, fetching their payloads, except those a
     * later one of them overwrites whole (a database writes its header page and its hot pages again and again
     * between keyframes); null if released.
     */
    private byte[] applyDeferred(Inode inode) {
        List<Deferred> writes = inode.held == null ? null : takeDeferred(inode);
        if (writes != null) {
            boolean[] overwritten = overwritten(writes);
            for (int i = 0; i < writes.size(); i++) {
                Deferred d = writes.get(i);
                if (!overwritten[i] && !copyIn(inode, d.offset(), d.payload())) {
                    break;
                }
            }
        }
        return inode.held;
    }

    /**
     * Which of these writes, in order, a later one starting at the same offset covers to its end: the later
     * write reaches at least as far, so leaving one out changes neither the bytes nor the size.
     */
    private static boolean[] overwritten(List<Deferred> writes) {
        boolean[] out = new boolean[writes.size()];
        Map<Long, Long> endFrom = new HashMap<>();
        for (int i = writes.size() - 1; i >= 0; i--) {
            Deferred d = writes.get(i);
            long end = d.offset() + d.payload().length;
            Long later = endFrom.get(d.offset());
            if (later != null && later >= end) {
                out[i] = true;
            } else {
                endFrom.put(d.offset(), end);
            }
        }
        return out;
    }

    /** Copies a write into the held bytes; false (and released) if the file outgrows holding. */
    private boolean copyIn(Inode inode, long offset, Payload payload) {
        if (!writable(inode, offset + payload.length)) {
            return false;
        }
        System.arraycopy(payload.bytes(), 0, inode.held, (int) offset, payload.length);
        return true;
    }

    /** Whether a file of {@code size} bytes can stay held; if not, its bytes are released. */
    private boolean fits(Inode inode, long size) {
        if (size > HOLD_MAX_FILE) {
            release(inode);
            return false;
        }
        return true;
    }

    /** A held file was written: the last to give its bytes up, and the budget kept. */
    private void written(Inode inode) {
        holding.get(inode);
        evictOverBudget(inode);
    }

    /** Makes the held buffer writable and at least {@code size} long; false (and released) if the file is too large. */
    private boolean writable(Inode inode, long size) {
        if (!fits(inode, size)) {
            return false;
        }
        byte[] held = inode.held;
        if (inode.heldShared || held.length < size) {
            int capacity = held.length >= size ? held.length : (int) Math.min(HOLD_MAX_FILE, Math.max(size, 2L * held.length));
            byte[] copy = new byte[capacity];
            System.arraycopy(held, 0, copy, 0, (int) Math.min(inode.size, held.length));
            heldBytes += capacity - held.length;
            inode.held = copy;
            inode.heldShared = false;
        }
        written(inode);
        return inode.held != null;
    }

    private void evictOverBudget(Inode keep) {
        var it = holding.keySet().iterator();
        while (heldBytes > HOLD_BUDGET && it.hasNext()) {
            Inode victim = it.next();
            if (victim != keep) {
                forget(victim);
                it.remove();
            }
        }
    }

    // ---- what each event does ----

    /** The inode at {@code path}; a file nobody saw created starts empty and approximate. */
    private Inode fileOf(byte[] path, long t, long seq) {
        if (tree.get(path) instanceof File f) {
            return f.inode();
        }
        Inode inode = new Inode(0, 0644);
        approximate(inode, ApproximateReason.STATE_UNKNOWN);
        put(path, new File(inode));
        record(path, t, seq, new VersionRecord(Kind.KEYFRAME, 0, 0, emptyContent(), inode.mode, null, flags(inode)));
        hold(inode, new byte[0]);
        return inode;
    }

    /** {@code knownAgain}: the write makes the file's bytes known again (a keyframe, not approximate). */
    private void write(byte[] path, long offset, Payload payload, long t, long seq, boolean approx,
                       boolean knownAgain) {
        Inode inode = fileOf(path, t, seq);
        if (approx) {
            approximate(inode, ApproximateReason.SHARED_OFFSET);
        }
        long newSize = Math.max(inode.size, offset + payload.length);
        if (offset == inode.size && payload.length <= INLINE_MAX) {
            inode.changedBytes += payload.length + APPEND_COST;
        } else {
            inode.changes++;
            inode.changedBytes += payload.length;
        }
        if (inode.growing != null && offset < inode.growing.length()) {
            inode.growing = null; // the bytes of its last keyframe change
        }
        if (inode.held != null) {
            holdWrite(inode, offset, payload);
        }
        if (knownAgain || keyframeDue(inode, newSize)) {
            if (knownAgain) {
                inode.approximate = false;
                inode.mappedOnly = false;
            }
            if (applyDeferred(inode) != null) {
                inode.size = newSize;
                storeHeldKeyframe(inode, t, seq);
                return;
            }
            byte[] before = keyframes.contentAt(inode.names.get(0), t, seq - 1);
            byte[] after = Arrays.copyOf(before, (int) newSize);
            if (before.length < inode.size) {
                // the replayed size is authoritative for what was written; pad to what the tree believes
                approximate(inode, ApproximateReason.STATE_UNKNOWN);
            }
            System.arraycopy(payload.bytes(), 0, after, (int) offset, payload.length);
            keyframe(inode, after, t, seq);
        } else {
            boolean inline = payload.length <= INLINE_MAX;
            ContentHash h = inline ? null : payload.stored();
            for (byte[] name : inode.names) {
                record(name, t, seq, new VersionRecord(Kind.EXTENT, offset, payload.length, h, inode.mode, null,
                        flags(inode), inline ? payload.bytes() : null));
            }
        }
        inode.size = newSize;
    }

    /**
     * Once replaying the change records since the last base would cost twice the file's size. A file that
     * only grows by appends of 64 bytes or more never gets there (its extents are its bytes, read once), so such
     * appends cost no keyframes; overwrites and tiny appends do, which bounds any rebuild to about three times
     * the size.
     */
    private static boolean keyframeDue(Inode inode, long newSize) {
        return newSize <= KEYFRAME_MAX_FILE
                && inode.changedBytes + inode.changes * CHANGE_COST >= Math.max(KEYFRAME_MIN_BYTES, 2 * newSize);
    }

    /** The file holds exactly {@code bytes} from here on: a base record under every name, and its bytes held. */
    private void keyframe(Inode inode, byte[] bytes, long t, long seq) {
        storeKeyframe(inode, bytes, t, seq);
        hold(inode, bytes);
    }

    private void storeKeyframe(Inode inode, byte[] bytes, long t, long seq) {
        inode.size = bytes.length;
        base(inode, stash(bytes), t, seq);
    }

    /**
     * A keyframe of the held bytes, which stay this file's own: a copy of them when small, else chunked from
     * where the last keyframe's chunks stop being final, when nothing before its end changed since.
     */
    private void storeHeldKeyframe(Inode inode, long t, long seq) {
        if (inode.size < KvContentStore.CHUNKED_FROM) {
            storeKeyframe(inode, Arrays.copyOf(inode.held, (int) inode.size), t, seq);
            return;
        }
        if (inode.growing == null) {
            inode.growing = new GrowingContent();
        }
        GrowingContent.Chunked chunked = inode.growing.next(inode.held, (int) inode.size);
        pendingChunked.add(chunked);
        base(inode, chunked.hash(), t, seq);
    }

    /** A keyframe record of {@code h} under every name of the file: what it rebuilds from now on. */
    private void base(Inode inode, ContentHash h, long t, long seq) {
        for (byte[] name : inode.names) {
            record(name, t, seq, new VersionRecord(Kind.KEYFRAME, 0, inode.size, h, inode.mode, null, flags(inode)));
        }
        inode.changes = 0;
        inode.changedBytes = 0;
    }

    private void create(byte[] path, int mode, long t, long seq) {
        Node node = tree.get(path);
        if (node instanceof File) {
            return; // O_CREAT of an existing file changes nothing; O_TRUNC comes as its own event
        }
        Inode inode = new Inode(0, mode & 07777);
        put(path, new File(inode));
        record(path, t, seq, new VersionRecord(Kind.KEYFRAME, 0, 0, emptyContent(), inode.mode, null, 0));
        hold(inode, new byte[0]);
    }

    private void truncate(byte[] path, long length, long t, long seq) {
        Inode inode = fileOf(path, t, seq);
        if (length == 0) {
            // an empty file is known exactly whatever came before: a base record, not a change
            inode.approximate = false;
            keyframe(inode, new byte[0], t, seq);
            return;
        }
        inode.changes++;
        inode.growing = null;
        for (byte[] name : inode.names) {
            record(name, t, seq, new VersionRecord(Kind.TRUNCATE, 0, length, null, inode.mode, null, flags(inode)));
        }
        if (applyDeferred(inode) != null && writable(inode, Math.max(length, inode.size)) && length < inode.size) {
            Arrays.fill(inode.held, (int) length, (int) inode.size, (byte) 0);
        }
        inode.size = length;
    }

    /**
     * fallocate(2), each mode applied exactly: allocation only changes the size (unless KEEP_SIZE); punch-hole
     * and zero-range write zeros; collapse-range and insert-range shift the bytes, a new keyframe. A mode this
     * code does not know, more than {@link #ZEROS_MAX} of zeros, or a shift of a file too large to build in memory
     * takes the file from disk, approximate.
     */
    private void fallocate(byte[] path, int mode, long offset, long length, long t, long seq) {
        if ((mode & ~Fallocate.KNOWN) != 0) {
            reread(path, ApproximateReason.STATE_UNKNOWN, t, seq);
            return;
        }
        boolean keepSize = (mode & Fallocate.KEEP_SIZE) != 0;
        long end = offset + length;
        Inode inode = fileOf(path, t, seq);
        long size = inode.size;
        if ((mode & (Fallocate.PUNCH_HOLE | Fallocate.ZERO_RANGE)) != 0) {
            // one record per path and event (a version's key is its path, time and sequence): the zeros, up to
            // the new end when the size grows
            long zeroEnd = keepSize ? Math.min(end, size) : end;
            if (zeroEnd - offset > ZEROS_MAX) {
                reread(path, ApproximateReason.STATE_UNKNOWN, t, seq);
            } else if (zeroEnd > offset) {
                write(path, offset, made(new byte[(int) (zeroEnd - offset)]), t, seq, false, false);
            }
        } else if ((mode & (Fallocate.COLLAPSE_RANGE | Fallocate.INSERT_RANGE)) != 0) {
            boolean collapse = (mode & Fallocate.COLLAPSE_RANGE) != 0;
            long newSize = collapse ? size - length : size + length;
            // the kernel refuses a range that does not lie in the file: if it did not, the size here is off
            if (Math.max(size, newSize) > KEYFRAME_MAX_FILE || (collapse ? end > size : offset > size)) {
                reread(path, ApproximateReason.STATE_UNKNOWN, t, seq);
                return;
            }
            byte[] before = applyDeferred(inode) != null ? Arrays.copyOf(inode.held, (int) size)
                    : keyframes.contentAt(inode.names.get(0), t, seq - 1);
            if (before.length < size) {
                approximate(inode, ApproximateReason.STATE_UNKNOWN);
                before = Arrays.copyOf(before, (int) size);
            }
            byte[] after = new byte[(int) newSize];
            System.arraycopy(before, 0, after, 0, (int) offset);
            if (collapse) {
                System.arraycopy(before, (int) end, after, (int) offset, (int) (size - end));
            } else {
                System.arraycopy(before, (int) offset, after, (int) end, (int) (size - offset));
            }
            keyframe(inode, after, t, seq);
        } else if (!keepSize && end > size) {
            truncate(path, end, t, seq);
        }
    }

    /**
     * A copy from a file in the roots (a copy from outside came as writes, {@link OutsideCopy}): the destination
     * gets the source's bytes at this instant, from this writer's state, approximate if the source is. A file
     * copied into itself is copied as the kernel does it, forward, byte after byte, from the file as the copy
     * changes it: splice moves the source's pages by reference, so a sendfile whose destination overlaps its
     * source ahead of it repeats bytes, and a copy may read past the file's old end into the gap its own writes
     * opened (zeros) or into what it wrote. Re-read instead if the source is no file here, too large to build in
     * memory, or shorter than what was copied from another file (the state here is off).
     */
    private void copy(FsEvent e, long t, long seq) {
        long from = e.sourceOffset();
        int length = (int) Math.min(e.length(), Integer.MAX_VALUE);
        if (!(tree.get(e.path2()) instanceof File f) || f.inode().size > KEYFRAME_MAX_FILE
                || (from + length > f.inode().size && !(tree.get(e.path()) instanceof File d && d.inode() == f.inode()))) {
            reread(e.path(), ApproximateReason.STATE_UNKNOWN, t, seq);
            return;
        }
        Inode source = f.inode();
        boolean self = tree.get(e.path()) instanceof File d && d.inode() == source;
        long lo = self ? Math.min(from, e.offset()) : from;
        long hi = self ? Math.max(from, e.offset()) + length : from + length;
        int known = (int) Math.max(0, Math.min(hi, source.size) - lo);
        byte[] bytes = applyDeferred(source) != null ? source.held : keyframes.contentAt(source.names.get(0), t, seq - 1);
        if (bytes.length < lo + known) {
            reread(e.path(), ApproximateReason.STATE_UNKNOWN, t, seq);
            return;
        }
        // the bytes from lo to hi as they were, zeros past the end: a copy of their own, since writing the copy
        // may change the held bytes of the source
        byte[] window = new byte[(int) (hi - lo)];
        System.arraycopy(bytes, (int) lo, window, 0, known);
        byte[] copied;
        if (self) {
            int src = (int) (from - lo);
            int dst = (int) (e.offset() - lo);
            for (int i = 0; i < length; i++) {
                window[dst + i] = window[src + i];
            }
            copied = Arrays.copyOfRange(window, dst, dst + length);
        } else {
            copied = window;
        }
        if (source.approximate) {
            approximate(fileOf(e.path(), t, seq), source.reason);
        }
        // one write: a version's key is its path, time and sequence, one record per path and event
        write(e.path(), e.offset(), made(copied), t, seq, false, false);
    }

    /**
     * Bytes the writer made (zeros, a copy) as a payload, stashed for the content store when too large to stay in
     * their record: no journal holds them.
     */
    private Payload made(byte[] bytes) {
        return new Payload(bytes, bytes.length, bytes.length > INLINE_MAX ? stash(bytes) : null);
    }

    private void chmod(byte[] path, int mode, long t, long seq) {
        Node node = tree.get(path);
        if (node instanceof File f) {
            f.inode().mode = mode;
            for (byte[] name : f.inode().names) {
                record(name, t, seq, new VersionRecord(Kind.MODE, 0, 0, null, mode, null, flags(f.inode())));
            }
        } else if (node instanceof Dir) {
            put(path, new Dir(mode));
            record(path, t, seq, new VersionRecord(Kind.MODE, 0, 0, null, mode, null, 0));
        }
    }

    private static int modeOf(Node n) {
        if (n instanceof File f) {
            return f.inode().mode;
        }
        return n instanceof Dir d ? d.mode() : 0777;
    }

    private static int flagsOf(Node n) {
        return n instanceof File f ? flags(f.inode()) : 0;
    }

    private void rename(byte[] src, byte[] dst, long t, long seq) {
        if (Arrays.equals(src, dst)) {
            return;
        }
        NavigableMap<byte[], Node> moving = filter.accepts(src) ? tree.subtree(src) : new TreeMap<>();
        if (!filter.accepts(dst)) {
            deleteAll(moving, Map.of(), t, seq);
            return;
        }
        if (moving.isEmpty()) {
            deleteAll(tree.subtree(dst), Map.of(), t, seq);
            importFromDisk(dst, t, seq);
            return;
        }
        Map<byte[], byte[]> sources = new TreeMap<>(Arrays::compareUnsigned);
        for (byte[] p : moving.keySet()) {
            sources.put(TreeState.rebase(p, src, dst), p);
        }
        NavigableMap<byte[], Node> replaced = tree.subtree(dst);
        moveAll(moving, replaced, sources, t, seq);
    }

    private void exchange(byte[] a, byte[] b, long t, long seq) {
        if (!filter.accepts(a) || !filter.accepts(b)) {
            // one side is outside the roots: what comes in is unknown, read it from disk
            for (byte[] p : new byte[][] {a, b}) {
                if (filter.accepts(p)) {
                    deleteAll(tree.subtree(p), Map.of(), t, seq);
                    importFromDisk(p, t, seq);
                }
            }
            return;
        }
        NavigableMap<byte[], Node> moving = tree.subtree(a);
        moving.putAll(tree.subtree(b));
        Map<byte[], byte[]> sources = new TreeMap<>(Arrays::compareUnsigned);
        for (byte[] p : tree.subtree(a).keySet()) {
            sources.put(TreeState.rebase(p, a, b), p);
        }
        for (byte[] p : tree.subtree(b).keySet()) {
            sources.put(TreeState.rebase(p, b, a), p);
        }
        moveAll(moving, new TreeMap<>(), sources, t, seq);
    }

    /**
     * Moves the nodes of {@code moving} to the paths mapped in {@code sources} (new path to old path),
     * replacing {@code replaced}; every path left empty gets a delete record.
     */
    private void moveAll(NavigableMap<byte[], Node> moving, NavigableMap<byte[], Node> replaced,
                         Map<byte[], byte[]> sources, long t, long seq) {
        for (byte[] p : moving.keySet()) {
            tree.remove(p);
        }
        for (byte[] p : replaced.keySet()) {
            tree.remove(p);
        }
        for (Map.Entry<byte[], byte[]> m : sources.entrySet()) {
            byte[] to = m.getKey();
            Node node = moving.get(m.getValue());
            if (!filter.accepts(to)) {
                continue;
            }
            tree.put(to, node);
            record(to, t, seq, new VersionRecord(Kind.RENAME, 0, 0, null, modeOf(node), m.getValue(), flagsOf(node)));
        }
        Map<byte[], Node> gone = new TreeMap<>(Arrays::compareUnsigned);
        gone.putAll(moving);
        gone.putAll(replaced);
        for (Node n : gone.values()) {
            releaseIfGone(n);
        }
        deleteAll(gone, sources, t, seq);
    }

    /** Delete records for every path of {@code paths} that is not a key of {@code keep}, deepest first. */
    private void deleteAll(Map<byte[], Node> paths, Map<byte[], ?> keep, long t, long seq) {
        List<byte[]> order = new ArrayList<>(paths.keySet());
        order.sort((x, y) -> Arrays.compareUnsigned(y, x));
        for (byte[] p : order) {
            if (!keep.containsKey(p)) {
                remove(p);
                record(p, t, seq, new VersionRecord(Kind.DELETE, 0, 0, null, 0, null, 0));
            }
        }
    }

    private void link(byte[] existing, byte[] name, long t, long seq) {
        if (!filter.accepts(name)) {
            return;
        }
        if (filter.accepts(existing) && tree.get(existing) instanceof File f) {
            put(name, f);
            record(name, t, seq, new VersionRecord(Kind.LINK, 0, 0, null, f.inode().mode, existing, flags(f.inode())));
        } else {
            importFromDisk(name, t, seq);
        }
    }

    /** The capture could not see the bytes: take the file as it is on disk now, marked approximate. */
    private void reread(byte[] path, ApproximateReason why, long t, long seq) {
        DiskReader.Entry entry = importer.reread(path);
        Inode inode = fileOf(path, t, seq);
        approximate(inode, why);
        if (entry != null && entry.content() != null) {
            inode.mode = entry.mode();
            keyframe(inode, entry.content(), t, seq);
        } else {
            markApproximate(inode, why, t, seq);
        }
    }

    /** From here on the file's bytes are not known: a record that says so, its bytes no longer held. */
    private void markApproximate(Inode inode, ApproximateReason why, long t, long seq) {
        approximate(inode, why);
        release(inode);
        for (byte[] name : inode.names) {
            record(name, t, seq, new VersionRecord(Kind.MODE, 0, 0, null, inode.mode, null, flags(inode)));
        }
    }

    /** From here on the file's bytes are not known exactly, for this reason (the latest one given). */
    private static void approximate(Inode inode, ApproximateReason why) {
        inode.mappedOnly = (!inode.approximate || inode.mappedOnly) && why == ApproximateReason.MAPPED;
        inode.approximate = true;
        inode.reason = why;
    }

    /** A path came into the roots from outside: record what is on disk now, approximate. */
    private void importFromDisk(byte[] path, long t, long seq) {
        DiskImporter.Found found = importer.imported(path, t, seq);
        int approx = ApproximateReason.MOVED_IN.in(0);
        if (found.directoryWithoutEntries()) {
            put(path, new Dir(0755));
            record(path, t, seq, new VersionRecord(Kind.DIRECTORY, 0, 0, null, 0755, null, approx));
        }
        for (DiskReader.Entry entry : found.entries()) {
            byte[] p = entry.path();
            if (!filter.accepts(p)) {
                continue;
            }
            switch (entry.type()) {
                case DIRECTORY -> {
                    put(p, new Dir(entry.mode()));
                    record(p, t, seq, new VersionRecord(Kind.DIRECTORY, 0, 0, null, entry.mode(), null, approx));
                }
                case SYMLINK -> {
                    put(p, new Symlink(entry.target()));
                    record(p, t, seq, new VersionRecord(Kind.SYMLINK, 0, 0, null, 0777, entry.target(), approx));
                }
                case REGULAR -> {
                    Inode inode = new Inode(0, entry.mode());
                    approximate(inode, ApproximateReason.MOVED_IN);
                    put(p, new File(inode));
                    keyframe(inode, entry.content() == null ? new byte[0] : entry.content(), t, seq);
                }
            }
        }
    }
}
