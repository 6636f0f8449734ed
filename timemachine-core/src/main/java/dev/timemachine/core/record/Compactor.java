package dev.timemachine.core.record;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.ContentStore;
import dev.timemachine.api.EventLog;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Journal;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.Op;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionIndex;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.VersionRecord.Kind;
import dev.timemachine.core.record.TreeState.Dir;
import dev.timemachine.core.record.TreeState.File;
import dev.timemachine.core.record.TreeState.Inode;
import dev.timemachine.core.record.TreeState.Node;
import dev.timemachine.core.record.TreeState.Symlink;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.stream.IntStream;

/**
 * Stage 2 (DESIGN §6): reads the journal in (time, sequence) order up to a watermark, keeps the tree state,
 * and writes content into the CAS and one version record per path and event, following the rebuild contract
 * of {@link VersionRecord}. A directory rename becomes one record per moved path. A file whose change records
 * since its last base would cost twice its size to replay gets a keyframe instead, so any version rebuilds
 * from at most about three times the file's size. Compacted journal ranges are trimmed and their
 * payload-free summaries kept in the event log.
 *
 * <p>Deterministic for a given tree state and journal, so compacting the same range twice (after a crash
 * between writing versions and trimming) writes the same records again. Not thread-safe: one compactor
 * thread per recording.
 */
public final class Compactor {
    /** Reads the content a path had at an instant, from the records written so far. */
    @FunctionalInterface
    public interface ContentReader {
        byte[] contentAt(byte[] path, long timeNs, long maxSequence);
    }

    private static final int CHUNK_ENTRIES = 2_000;
    private static final long CHUNK_BYTES = 64L << 20;
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
    /** How many later journal entries are searched for where a path that moved on went. */
    private static final int LOOKAHEAD = 100_000;

    private final Journal journal;
    private final VersionIndex index;
    private final EventLog events;
    private final ContentStore content;
    private final TreeState tree;
    private final PathFilter filter;
    private final ContentReader reader;
    private final DiskReader disk;
    private final List<Version> pending = new ArrayList<>();
    /** Content of the pending versions, stored with them in one batch. */
    private final Map<ContentHash, byte[]> pendingContent = new java.util.LinkedHashMap<>();
    private final Set<ByteBuffer> approximatePaths = new HashSet<>();
    private ContentHash empty;
    private JournalTail tail;
    /** Hashes of the current chunk's payloads, computed ahead by {@link #hashPayloads}. */
    private final Map<byte[], ContentHash> hashed = new IdentityHashMap<>();
    /** The highest watermark compacted up to so far. */
    private long compactedUpTo = Long.MIN_VALUE;
    private long eventCount;
    private long byteCount;
    private long versionCount;

    public Compactor(TimeMachineStore store, int recording, TreeState tree, PathFilter filter, ContentReader reader) {
        this.journal = store.journal(recording);
        this.index = store.versions(recording);
        this.events = store.events(recording);
        this.content = store.content();
        this.tree = tree;
        this.filter = filter;
        this.reader = reader;
        this.disk = new DiskReader();
    }

    /** Counters for the recording's summary. */
    public record Counters(long events, long bytes, long versions, long approximateFiles) {
    }

    public Counters counters() {
        return new Counters(eventCount, byteCount, versionCount, approximatePaths.size());
    }

    /** The paths whose versions are approximate, for the summary. */
    public List<byte[]> approximatePaths() {
        return approximatePaths.stream().map(b -> Arrays.copyOf(b.array(), b.limit())).toList();
    }

    /**
     * Compacts every journal entry with a timestamp at or before {@code watermarkNs}, then trims them.
     *
     * @return how many entries were compacted
     */
    public long compactUpTo(long watermarkNs) {
        JournalTail.Taken held = tail == null ? null : tail.take(compactedUpTo, watermarkNs);
        compactedUpTo = Math.max(compactedUpTo, watermarkNs);
        long total = 0;
        if (held != null) {
            List<JournalEntry> entries = held.entries();
            int from = 0;
            while (from < entries.size()) {
                int to = from;
                long bytes = 0;
                while (to < entries.size() && !chunkFull(to - from, bytes)) {
                    bytes += entries.get(to++).event().payload().length;
                }
                compact(entries.subList(from, to));
                from = to;
            }
            total = entries.size();
            if (held.complete()) {
                return total;
            }
        }
        while (true) {
            List<JournalEntry> chunk = new ArrayList<>();
            long[] bytes = {0};
            journal.scan(journal.trimmedTo(), e -> {
                if (e.event().timeNs() > watermarkNs) {
                    return false;
                }
                chunk.add(e);
                bytes[0] += e.event().payload().length;
                return !chunkFull(chunk.size(), bytes[0]);
            });
            if (chunk.isEmpty()) {
                return total;
            }
            compact(chunk);
            total += chunk.size();
        }
    }

    /** Whether a chunk of this many entries and payload bytes is compacted (and trimmed) as it is. */
    private static boolean chunkFull(int entries, long payloadBytes) {
        return entries >= CHUNK_ENTRIES || payloadBytes >= CHUNK_BYTES;
    }

    /** Takes the entries appended to the journal from {@code tail} instead of reading back those it holds. */
    void feedFrom(JournalTail tail) {
        this.tail = tail;
    }

    /** Compacts the journal's next entries, in journal order, and trims them. */
    private void compact(List<JournalEntry> chunk) {
        if (chunk.get(0).position().compareTo(journal.trimmedTo()) < 0) {
            throw new IllegalStateException("entry " + chunk.get(0).position() + " is before the compacted part of"
                    + " the journal, " + journal.trimmedTo());
        }
        hashPayloads(chunk);
        for (JournalEntry e : chunk) {
            apply(e);
        }
        hashed.clear();
        flush();
        events.append(chunk);
        journal.trim(chunk.get(chunk.size() - 1).position().next());
    }

    /** The journal position up to which everything is compacted (exclusive). */
    public JournalPosition compactedTo() {
        return journal.trimmedTo();
    }

    private void apply(JournalEntry entry) {
        FsEvent e = entry.event();
        long t = e.timeNs();
        long seq = entry.sequence();
        eventCount++;
        byteCount += e.payload().length;
        boolean approx = e.has(FsEvent.FLAG_APPROXIMATE);
        switch (e.op()) {
            case WRITE -> write(e.path(), e.offset(), e.payload(), t, seq, approx);
            case CREATE -> create(e.path(), e.mode(), t, seq);
            case TRUNCATE -> truncate(e.path(), e.length(), t, seq);
            case FALLOCATE -> {
                Inode inode = fileOf(e.path(), t, seq);
                if (e.offset() + e.length() > inode.size) {
                    truncate(e.path(), e.offset() + e.length(), t, seq);
                }
            }
            case RENAME -> rename(e.path(), e.path2(), t, seq);
            case EXCHANGE -> exchange(e.path(), e.path2(), t, seq);
            case UNLINK, RMDIR -> {
                for (byte[] p : tree.subtree(e.path()).descendingKeySet()) {
                    tree.remove(p);
                    record(p, t, seq, new VersionRecord(Kind.DELETE, 0, 0, null, 0, null, 0));
                }
            }
            case MKDIR -> {
                tree.put(e.path(), new Dir(e.mode() & 07777));
                record(e.path(), t, seq, new VersionRecord(Kind.DIRECTORY, 0, 0, null, e.mode() & 07777, null, 0));
            }
            case CHMOD -> chmod(e.path(), e.mode() & 07777, t, seq);
            case SYMLINK -> {
                tree.put(e.path(), new Symlink(e.path2()));
                record(e.path(), t, seq, new VersionRecord(Kind.SYMLINK, 0, 0, null, 0777, e.path2(), 0));
            }
            case LINK -> link(e.path(), e.path2(), t, seq);
            case REREAD -> reread(e.path(), t, seq);
            case LOST -> {
                // the source counts drops; a LOST naming a file says which one to take from disk
                if (e.path().length > 0 && tree.get(e.path()) instanceof File) {
                    reread(e.path(), t, seq);
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

    /** Content is written before the versions that refer to it, so a reader never meets a dangling hash. */
    private void flush() {
        content.putHashed(pendingContent);
        pendingContent.clear();
        index.putAll(pending);
        pending.clear();
    }

    /**
     * Hashes the chunk's write payloads that go to the content store on every core: hashing is most of the
     * compactor's work on large writes, and it is independent per payload. The hashing threads run at the
     * compactor's low priority.
     */
    private void hashPayloads(List<JournalEntry> chunk) {
        List<byte[]> payloads = new ArrayList<>();
        for (JournalEntry e : chunk) {
            if (e.event().op() == Op.WRITE && e.event().payload().length > INLINE_MAX) {
                payloads.add(e.event().payload());
            }
        }
        if (payloads.size() < 2) {
            return;
        }
        ContentHash[] hashes = new ContentHash[payloads.size()];
        Hashers.POOL.submit(() -> IntStream.range(0, hashes.length).parallel()
                .forEach(i -> hashes[i] = ContentHash.sha256(payloads.get(i)))).join();
        for (int i = 0; i < hashes.length; i++) {
            hashed.put(payloads.get(i), hashes[i]);
        }
    }

    /** The hashing threads, shared by all compactors; daemons at the lowest priority. */
    private static final class Hashers {
        static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), pool -> {
            ForkJoinWorkerThread t = new ForkJoinWorkerThread(pool) {
                @Override
                protected void onStart() {
                    super.onStart();
                    ThreadPriority.lowerCurrentThread(ThreadPriority.NICE_LOWEST);
                }
            };
            t.setName("tm-hasher-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    private ContentHash stash(byte[] bytes) {
        ContentHash h = hashed.get(bytes);
        if (h == null) {
            h = ContentHash.sha256(bytes);
        }
        pendingContent.putIfAbsent(h, bytes);
        return h;
    }

    private ContentHash emptyContent() {
        if (empty == null) {
            empty = stash(new byte[0]);
        }
        return empty;
    }

    private static int flags(Inode inode) {
        return inode.approximate ? VersionRecord.FLAG_APPROXIMATE : 0;
    }

    /** The inode at {@code path}; a file nobody saw created starts empty and approximate. */
    private Inode fileOf(byte[] path, long t, long seq) {
        if (tree.get(path) instanceof File f) {
            return f.inode();
        }
        Inode inode = new Inode(0, 0644);
        inode.approximate = true;
        tree.put(path, new File(inode));
        record(path, t, seq, new VersionRecord(Kind.KEYFRAME, 0, 0, emptyContent(), inode.mode, null, flags(inode)));
        return inode;
    }

    private void write(byte[] path, long offset, byte[] payload, long t, long seq, boolean approx) {
        Inode inode = fileOf(path, t, seq);
        inode.approximate |= approx;
        long newSize = Math.max(inode.size, offset + payload.length);
        inode.changes++;
        inode.changedBytes += payload.length;
        if (keyframeDue(inode, newSize)) {
            flush();
            byte[] before = reader.contentAt(inode.names.get(0), t, seq - 1);
            byte[] after = Arrays.copyOf(before, (int) newSize);
            if (before.length < inode.size) {
                // the replayed size is authoritative for what was written; pad to what the tree believes
                inode.approximate = true;
            }
            System.arraycopy(payload, 0, after, (int) offset, payload.length);
            keyframe(inode, after, t, seq);
        } else {
            boolean inline = payload.length <= INLINE_MAX;
            ContentHash h = inline ? null : stash(payload);
            for (byte[] name : inode.names) {
                record(name, t, seq, new VersionRecord(Kind.EXTENT, offset, payload.length, h, inode.mode, null,
                        flags(inode), inline ? payload : null));
            }
        }
        inode.size = newSize;
    }

    /**
     * Once replaying the change records since the last base would cost twice the file's size. A file that
     * only grows by appends never gets there (its extents are its bytes, read once), so appends cost no
     * keyframes; overwrites and many tiny writes do, which bounds any rebuild to about three times the size.
     */
    private static boolean keyframeDue(Inode inode, long newSize) {
        return newSize <= KEYFRAME_MAX_FILE
                && inode.changedBytes + inode.changes * CHANGE_COST >= Math.max(KEYFRAME_MIN_BYTES, 2 * newSize);
    }

    private void keyframe(Inode inode, byte[] bytes, long t, long seq) {
        ContentHash h = stash(bytes);
        for (byte[] name : inode.names) {
            record(name, t, seq, new VersionRecord(Kind.KEYFRAME, 0, bytes.length, h, inode.mode, null, flags(inode)));
        }
        inode.size = bytes.length;
        inode.changes = 0;
        inode.changedBytes = 0;
    }

    private void create(byte[] path, int mode, long t, long seq) {
        Node node = tree.get(path);
        if (node instanceof File) {
            return; // O_CREAT of an existing file changes nothing; O_TRUNC comes as its own event
        }
        Inode inode = new Inode(0, mode & 07777);
        tree.put(path, new File(inode));
        record(path, t, seq, new VersionRecord(Kind.KEYFRAME, 0, 0, emptyContent(), inode.mode, null, 0));
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
        for (byte[] name : inode.names) {
            record(name, t, seq, new VersionRecord(Kind.TRUNCATE, 0, length, null, inode.mode, null, flags(inode)));
        }
        inode.size = length;
    }

    private void chmod(byte[] path, int mode, long t, long seq) {
        Node node = tree.get(path);
        if (node instanceof File f) {
            f.inode().mode = mode;
            for (byte[] name : f.inode().names) {
                record(name, t, seq, new VersionRecord(Kind.MODE, 0, 0, null, mode, null, flags(f.inode())));
            }
        } else if (node instanceof Dir) {
            tree.put(path, new Dir(mode));
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
        deleteAll(gone, sources, t, seq);
    }

    /** Delete records for every path of {@code paths} that is not a key of {@code keep}, deepest first. */
    private void deleteAll(Map<byte[], Node> paths, Map<byte[], ?> keep, long t, long seq) {
        List<byte[]> order = new ArrayList<>(paths.keySet());
        order.sort((x, y) -> Arrays.compareUnsigned(y, x));
        for (byte[] p : order) {
            if (!keep.containsKey(p)) {
                tree.remove(p);
                record(p, t, seq, new VersionRecord(Kind.DELETE, 0, 0, null, 0, null, 0));
            }
        }
    }

    private void link(byte[] existing, byte[] name, long t, long seq) {
        if (!filter.accepts(name)) {
            return;
        }
        if (filter.accepts(existing) && tree.get(existing) instanceof File f) {
            tree.put(name, f);
            record(name, t, seq, new VersionRecord(Kind.LINK, 0, 0, null, f.inode().mode, existing, flags(f.inode())));
        } else {
            importFromDisk(name, t, seq);
        }
    }

    /** The capture could not see the bytes: take the file as it is on disk now, marked approximate. */
    private void reread(byte[] path, long t, long seq) {
        DiskReader.Entry entry = disk.read(path);
        Inode inode = fileOf(path, t, seq);
        inode.approximate = true;
        if (entry != null && entry.content() != null) {
            inode.mode = entry.mode();
            keyframe(inode, entry.content(), t, seq);
        } else {
            for (byte[] name : inode.names) {
                record(name, t, seq, new VersionRecord(Kind.MODE, 0, 0, null, inode.mode, null, flags(inode)));
            }
        }
    }

    /**
     * A path came into the roots from outside: record what is on disk now, approximate. If it has already
     * moved on (renamed again before compaction got here), follow its later renames in the journal and take it
     * from where it is now; if it cannot be found but later events touch paths below it, it was a directory.
     */
    private void importFromDisk(byte[] path, long t, long seq) {
        List<DiskReader.Entry> entries = disk.walk(path, filter);
        byte[] from = path;
        if (entries.isEmpty()) {
            byte[][] now = {path};
            boolean[] hadChildren = {false};
            int[] looked = {0};
            journal.scan(new JournalPosition(t, seq + 1), e -> {
                FsEvent ev = e.event();
                if ((ev.op() == dev.timemachine.api.Op.RENAME || ev.op() == dev.timemachine.api.Op.EXCHANGE)
                        && Arrays.equals(ev.path(), now[0])) {
                    now[0] = ev.path2();
                } else if (ev.path().length > now[0].length && PathFilter.isUnder(ev.path(), now[0])) {
                    hadChildren[0] = true;
                }
                return ++looked[0] < LOOKAHEAD;
            });
            if (!Arrays.equals(now[0], path)) {
                from = now[0];
                byte[] there = from;
                entries = DiskReader.toPath(there)
                        .map(root -> disk.walk(there, new PathFilter(List.of(root), List.of(), null)))
                        .orElse(List.of());
            }
            if (entries.isEmpty() && hadChildren[0]) {
                tree.put(path, new Dir(0755));
                record(path, t, seq, new VersionRecord(Kind.DIRECTORY, 0, 0, null, 0755, null, VersionRecord.FLAG_APPROXIMATE));
            }
        }
        for (DiskReader.Entry entry : entries) {
            byte[] p = TreeState.rebase(entry.path(), from, path);
            if (!filter.accepts(p)) {
                continue;
            }
            int approx = VersionRecord.FLAG_APPROXIMATE;
            switch (entry.type()) {
                case DIRECTORY -> {
                    tree.put(p, new Dir(entry.mode()));
                    record(p, t, seq, new VersionRecord(Kind.DIRECTORY, 0, 0, null, entry.mode(), null, approx));
                }
                case SYMLINK -> {
                    tree.put(p, new Symlink(entry.target()));
                    record(p, t, seq, new VersionRecord(Kind.SYMLINK, 0, 0, null, 0777, entry.target(), approx));
                }
                case REGULAR -> {
                    Inode inode = new Inode(0, entry.mode());
                    inode.approximate = true;
                    tree.put(p, new File(inode));
                    keyframe(inode, entry.content() == null ? new byte[0] : entry.content(), t, seq);
                }
            }
        }
    }
}
