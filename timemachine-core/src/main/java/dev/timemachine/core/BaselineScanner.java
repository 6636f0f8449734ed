package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.ContentStore;
import dev.timemachine.api.FileState;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionIndex;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.VersionRecord.Kind;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;

/**
 * Records each root's state before the command starts (docs/architecture.md §7): every directory, symlink and regular
 * file goes into the version index at the recording's start instant, with file contents in the CAS. Files
 * are hashed in parallel; a file whose (device, inode, size, mtime) a previous baseline saw is not read
 * again. Hard links found here share one inode in the returned tree state.
 */
final class BaselineScanner {
    /** Baseline versions sort before every journal sequence (which starts at 1). */
    static final long SEQUENCE = 0;
    private static final int BATCH = 1_000;

    private final KvTimeMachineStore store;
    private final PathFilter filter;
    private final int parallelism;

    BaselineScanner(KvTimeMachineStore store, PathFilter filter, int parallelism) {
        this.store = store;
        this.filter = filter;
        this.parallelism = Math.max(1, parallelism);
    }

    /** What the baseline found. */
    record Result(TreeState tree, long files, long directories, long symlinks, long bytes, long cached,
                  long specialFiles) {
    }

    /**
     * Scans {@code roots} and writes their versions at {@code timeNs} into recording {@code recording}.
     *
     * @param progress told the number of files hashed so far
     */
    Result scan(int recording, List<Path> roots, long timeNs, ProgressListener progress) {
        DiskReader disk = new DiskReader();
        List<DiskReader.Entry> entries = new ArrayList<>();
        for (Path root : roots) {
            if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                entries.addAll(disk.walkMetadata(DiskReader.toBytes(root), filter));
            }
        }
        BaselineCache cache = new BaselineCache(store.keyValueStore());
        ContentStore content = store.content();
        Map<DiskReader.Entry, ContentHash> hashes = new ConcurrentHashMap<>();
        List<BaselineCache.Seen> fresh = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] cached = {0};
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        ForkJoinPool pool = new ForkJoinPool(parallelism);
        try {
            pool.submit(() -> entries.parallelStream().filter(e -> e.type() == FileState.Type.REGULAR).forEach(e -> {
                ContentHash h = cache.get(e.dev(), e.ino(), e.size(), e.mtimeNs());
                if (h != null && content.contains(h)) {
                    synchronized (cached) {
                        cached[0]++;
                    }
                } else {
                    DiskReader.Entry full = DiskReader.withContent(e);
                    if (full.content() == null) {
                        return;
                    }
                    h = content.put(full.content());
                    fresh.add(new BaselineCache.Seen(e.dev(), e.ino(), e.size(), e.mtimeNs(), h));
                }
                hashes.put(e, h);
                progress.progress(done.incrementAndGet(), "files");
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("baseline interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdown();
        }
        cache.putAll(fresh);

        TreeState tree = new TreeState();
        Map<List<Long>, TreeState.Inode> inodes = new HashMap<>();
        VersionIndex index = store.versions(recording);
        List<Version> batch = new ArrayList<>();
        long files = 0;
        long dirs = 0;
        long links = 0;
        long bytes = 0;
        for (DiskReader.Entry e : entries) {
            VersionRecord r;
            switch (e.type()) {
                case DIRECTORY -> {
                    tree.put(e.path(), new TreeState.Dir(e.mode()));
                    r = new VersionRecord(Kind.DIRECTORY, 0, 0, null, e.mode(), null, VersionRecord.FLAG_BASELINE);
                    dirs++;
                }
                case SYMLINK -> {
                    tree.put(e.path(), new TreeState.Symlink(e.target()));
                    r = new VersionRecord(Kind.SYMLINK, 0, 0, null, 0777, e.target(), VersionRecord.FLAG_BASELINE);
                    links++;
                }
                default -> {
                    ContentHash h = hashes.get(e);
                    int flags = VersionRecord.FLAG_BASELINE;
                    TreeState.Inode inode = inodes.computeIfAbsent(List.of(e.dev(), e.ino()),
                            k -> new TreeState.Inode(e.size(), e.mode()));
                    if (h == null) {
                        // unreadable or too large to hold: present, but its bytes are unknown
                        h = content.put(new byte[0]);
                        flags |= VersionRecord.FLAG_APPROXIMATE;
                        inode.approximate = true;
                    }
                    tree.put(e.path(), new TreeState.File(inode));
                    r = new VersionRecord(Kind.KEYFRAME, 0, e.size(), h, e.mode(), null, flags);
                    files++;
                    bytes += e.size();
                }
            }
            batch.add(new Version(e.path(), timeNs, SEQUENCE, r));
            if (batch.size() == BATCH) {
                index.putAll(batch);
                batch.clear();
            }
        }
        index.putAll(batch);
        return new Result(tree, files, dirs, links, bytes, cached[0], disk.specialFiles());
    }
}
