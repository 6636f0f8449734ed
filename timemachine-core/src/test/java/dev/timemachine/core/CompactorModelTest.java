package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FileState;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Journal;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random valid file operations are journaled as events, compacted, and every path is rebuilt at sampled
 * instants and compared with an in-memory model of the tree at that instant: content, size, mode, type,
 * symlink target. Covers writes, sparse extends, truncates, creates over existing files, renames of files and
 * directories (replacing targets), exchanges, unlink, rmdir, mkdir, chmod, symlinks, hard links written
 * through both names, and keyframes (many small writes to one file).
 */
class CompactorModelTest {
    private static final String ROOT = "/r";

    @TempDir
    Path tmp;

    /** A model inode: shared by hard links. */
    static final class MInode {
        byte[] data = new byte[0];
        int mode;

        MInode(int mode) {
            this.mode = mode;
        }
    }

    /** A model node: exactly one of inode, dirMode (>= 0) or target is set. */
    record MNode(MInode inode, int dirMode, String target) {
    }

    /** What the model says a path is at one instant. */
    record Snap(FileState.Type type, int mode, byte[] data, String target) {
    }

    private final TreeMap<String, MNode> model = new TreeMap<>();
    private final List<FsEvent> events = new ArrayList<>();
    private final Set<String> everSeen = new HashSet<>();
    private long now = 1_000_000;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void emit(Op op, String path, String path2, long offset, long length, int mode, byte[] payload) {
        now += 1 + (now % 3 == 0 ? 0 : 1000); // some events share nothing but order, most are apart
        events.add(new FsEvent(now, 1, 1, op, b(path), path2 == null ? null : b(path2), offset, length, mode,
                payload, 0));
        everSeen.add(path);
        if (path2 != null) {
            everSeen.add(path2);
        }
    }

    private Map<String, Snap> snapshot() {
        Map<String, Snap> s = new TreeMap<>();
        model.forEach((p, n) -> {
            if (n.inode() != null) {
                s.put(p, new Snap(FileState.Type.REGULAR, n.inode().mode, n.inode().data.clone(), null));
            } else if (n.target() != null) {
                s.put(p, new Snap(FileState.Type.SYMLINK, 0777, null, n.target()));
            } else {
                s.put(p, new Snap(FileState.Type.DIRECTORY, n.dirMode(), null, null));
            }
        });
        return s;
    }

    private List<String> pick(Random rnd, java.util.function.Predicate<MNode> kind) {
        return model.entrySet().stream().filter(e -> kind.test(e.getValue())).map(Map.Entry::getKey).toList();
    }

    private String newName(Random rnd) {
        List<String> dirs = pick(rnd, n -> n.dirMode() >= 0 && n.inode() == null && n.target() == null);
        return dirs.get(rnd.nextInt(dirs.size())) + "/n" + rnd.nextInt(40);
    }

    private static boolean under(String p, String dir) {
        return p.equals(dir) || p.startsWith(dir + "/");
    }

    private void subtreeMove(String from, String to) {
        TreeMap<String, MNode> moved = new TreeMap<>();
        model.entrySet().removeIf(e -> {
            if (under(e.getKey(), from)) {
                moved.put(to + e.getKey().substring(from.length()), e.getValue());
                return true;
            }
            return false;
        });
        model.putAll(moved);
    }

    private void step(Random rnd) {
        List<String> files = pick(rnd, n -> n.inode() != null);
        List<String> dirs = pick(rnd, n -> n.inode() == null && n.target() == null);
        int op = rnd.nextInt(100);
        if (op < 35 && !files.isEmpty()) { // write, sometimes far past the end (sparse)
            String p = files.get(rnd.nextInt(files.size()));
            MInode in = model.get(p).inode();
            int off = rnd.nextInt(10) == 0 ? in.data.length + rnd.nextInt(5000) : rnd.nextInt(in.data.length + 1);
            byte[] payload = new byte[1 + rnd.nextInt(rnd.nextInt(20) == 0 ? 20_000 : 300)];
            rnd.nextBytes(payload);
            if (off + payload.length > in.data.length) {
                in.data = Arrays.copyOf(in.data, off + payload.length);
            }
            System.arraycopy(payload, 0, in.data, off, payload.length);
            emit(Op.WRITE, p, null, off, payload.length, 0, payload);
        } else if (op < 45) { // create (new or existing file, maybe with O_TRUNC)
            String p = !files.isEmpty() && rnd.nextBoolean() ? files.get(rnd.nextInt(files.size())) : newName(rnd);
            MNode existing = model.get(p);
            if (existing != null && existing.inode() == null) {
                return;
            }
            int mode = 0600 | rnd.nextInt(0100);
            if (existing == null) {
                model.put(p, new MNode(new MInode(mode), -1, null));
                emit(Op.CREATE, p, null, 0, 0, mode, null);
            } else {
                emit(Op.CREATE, p, null, 0, 0, existing.inode().mode, null);
            }
            if (rnd.nextBoolean()) {
                model.get(p).inode().data = new byte[0];
                emit(Op.TRUNCATE, p, null, 0, 0, 0, null);
            }
        } else if (op < 52 && !files.isEmpty()) { // truncate or extend
            String p = files.get(rnd.nextInt(files.size()));
            MInode in = model.get(p).inode();
            int len = rnd.nextInt(in.data.length * 2 + 10);
            in.data = Arrays.copyOf(in.data, len);
            emit(Op.TRUNCATE, p, null, 0, len, 0, null);
        } else if (op < 62) { // rename file or directory, maybe over an existing file
            List<String> any = new ArrayList<>(model.keySet());
            any.remove(ROOT);
            if (any.isEmpty()) {
                return;
            }
            String src = any.get(rnd.nextInt(any.size()));
            String dst = rnd.nextBoolean() && !files.isEmpty() ? files.get(rnd.nextInt(files.size())) : newName(rnd);
            if (under(dst, src) || under(src, dst)) {
                return;
            }
            MNode target = model.get(dst);
            MNode moving = model.get(src);
            boolean srcIsDir = moving.inode() == null && moving.target() == null;
            if (target != null && (srcIsDir || target.inode() == null)) {
                return; // keep to file-over-file replacement
            }
            model.remove(dst);
            subtreeMove(src, dst);
            emit(Op.RENAME, src, dst, 0, 0, 0, null);
        } else if (op < 66) { // exchange two unrelated paths
            List<String> any = new ArrayList<>(model.keySet());
            any.remove(ROOT);
            if (any.size() < 2) {
                return;
            }
            String a = any.get(rnd.nextInt(any.size()));
            String c = any.get(rnd.nextInt(any.size()));
            if (under(a, c) || under(c, a)) {
                return;
            }
            subtreeMove(a, "/tmp-x");
            subtreeMove(c, a);
            subtreeMove("/tmp-x", c);
            emit(Op.EXCHANGE, a, c, 0, 0, 0, null);
        } else if (op < 72 && !files.isEmpty()) { // unlink a file or symlink
            List<String> gone = new ArrayList<>(files);
            gone.addAll(pick(rnd, n -> n.target() != null));
            String p = gone.get(rnd.nextInt(gone.size()));
            model.remove(p);
            emit(Op.UNLINK, p, null, 0, 0, 0, null);
        } else if (op < 80) { // mkdir
            String p = newName(rnd);
            if (model.containsKey(p)) {
                return;
            }
            int mode = 0700 | rnd.nextInt(0100);
            model.put(p, new MNode(null, mode, null));
            emit(Op.MKDIR, p, null, 0, 0, mode, null);
        } else if (op < 84) { // rmdir an empty directory
            for (String d : dirs) {
                if (!d.equals(ROOT) && model.subMap(d + "/", d + "0").isEmpty()) {
                    model.remove(d);
                    emit(Op.RMDIR, d, null, 0, 0, 0, null);
                    return;
                }
            }
        } else if (op < 90) { // chmod
            List<String> any = new ArrayList<>(files);
            any.addAll(dirs);
            String p = any.get(rnd.nextInt(any.size()));
            int mode = 0700 | rnd.nextInt(0100);
            MNode n = model.get(p);
            if (n.inode() != null) {
                n.inode().mode = mode;
            } else {
                model.put(p, new MNode(null, mode, null));
            }
            emit(Op.CHMOD, p, null, 0, 0, mode, null);
        } else if (op < 94) { // symlink
            String p = newName(rnd);
            if (model.containsKey(p)) {
                return;
            }
            String target = "../t" + rnd.nextInt(9) + ":x\n";
            model.put(p, new MNode(null, -1, target));
            emit(Op.SYMLINK, p, target, 0, 0, 0, null);
        } else if (!files.isEmpty()) { // hard link
            String p = files.get(rnd.nextInt(files.size()));
            String q = newName(rnd);
            if (model.containsKey(q)) {
                return;
            }
            model.put(q, model.get(p));
            emit(Op.LINK, p, q, 0, 0, 0, null);
        }
    }

    /**
     * Repetitions 1–2 read the journal back; 3–4 take every entry from a {@link JournalTail} as the recorder
     * does; 5–6 from a tail so small that it keeps overflowing, so the compactor alternates between the two.
     */
    private void append(KvJournal journal, JournalTail tail) {
        List<FsEvent> batch = List.copyOf(events);
        dev.timemachine.api.ContentHash[] hashes = new dev.timemachine.api.ContentHash[batch.size()];
        long last = journal.append(batch, hashes);
        if (tail != null) {
            tail.appended(batch, last, hashes);
        }
        events.clear();
    }

    @RepeatedTest(6)
    void everyInstantRebuildsLikeTheModel(RepetitionInfo info) {
        int rep = info.getCurrentRepetition();
        Random rnd = new Random(1000 + (rep + 1) / 2);
        model.put(ROOT, new MNode(null, 0755, null));
        try (KvTimeMachineStore store = Stores.openOrCreate(tmp.resolve("state"), new MemoryEngine(), Map.of())) {
            int id = store.recordings().create(new dev.timemachine.api.RecordingInfo(0, now, 0, 0, List.of("x"),
                    List.of(ROOT), "test", -1, false, Map.of())).id();
            TreeState tree = new TreeState();
            tree.put(b(ROOT), new TreeState.Dir(0755));
            store.versions(id).putAll(List.of(new dev.timemachine.api.Version(b(ROOT), now, 0,
                    new dev.timemachine.api.VersionRecord(dev.timemachine.api.VersionRecord.Kind.DIRECTORY, 0, 0,
                            null, 0755, null, 0))));
            everSeen.add(ROOT);
            KvReplayer replayer = new KvReplayer(store, id);
            PathFilter filter = new PathFilter(List.of(Path.of(ROOT)), List.of(), null);
            Compactor compactor = new Compactor(store, id, tree, filter, replayer);
            JournalTail tail = rep <= 2 ? null : new JournalTail(rep <= 4 ? Long.MAX_VALUE : 64 << 10);
            if (tail != null) {
                compactor.feedFrom(tail);
            }

            Map<Long, Map<String, Snap>> snaps = new TreeMap<>();
            for (int i = 0; i < 1_500; i++) {
                step(rnd);
                if (i % 30 == 0) {
                    snaps.put(now, snapshot());
                }
                // many small writes to one file push it past the keyframe threshold
                if (i == 700) {
                    String p = ROOT + "/hot";
                    MInode in = new MInode(0644);
                    model.put(p, new MNode(in, -1, null));
                    emit(Op.CREATE, p, null, 0, 0, 0644, null);
                    for (int k = 0; k < 2_500; k++) {
                        byte[] payload = new byte[4_096];
                        Arrays.fill(payload, (byte) k);
                        payload[0] = (byte) (k >> 8);
                        int off = (k * 37) % 300_000;
                        in.data = Arrays.copyOf(in.data, Math.max(in.data.length, off + payload.length));
                        System.arraycopy(payload, 0, in.data, off, payload.length);
                        emit(Op.WRITE, p, null, off, payload.length, 0, payload);
                    }
                    snaps.put(now, snapshot());
                }
                if (i % 200 == 0 && !events.isEmpty()) {
                    append(store.kvJournal(id), tail);
                    compactor.compactUpTo(now - 5_000); // behind a watermark, like the recorder
                }
            }
            snaps.put(now, snapshot());
            append(store.kvJournal(id), tail);
            compactor.compactUpTo(Long.MAX_VALUE);
            assertEquals(0, store.journal(id).scan(JournalPosition.START, e -> true), "journal fully trimmed");

            for (Map.Entry<Long, Map<String, Snap>> s : snaps.entrySet()) {
                long t = s.getKey();
                for (String p : everSeen) {
                    Snap expected = s.getValue().get(p);
                    Optional<FileState> got = replayer.stateAt(b(p), t);
                    String where = p + " @" + t;
                    if (expected == null) {
                        assertFalse(got.isPresent(), where + " should not exist, got " + got);
                        continue;
                    }
                    assertTrue(got.isPresent(), where + " should exist as " + expected.type());
                    FileState st = got.get();
                    assertEquals(expected.type(), st.type(), where);
                    assertFalse(st.approximate(), where);
                    switch (expected.type()) {
                        case REGULAR -> {
                            assertEquals(expected.mode(), st.mode(), where);
                            assertEquals(expected.data().length, st.size(), where);
                            assertArrayEquals(expected.data(), replayer.contentAt(b(p), t, Long.MAX_VALUE), where);
                        }
                        case DIRECTORY -> assertEquals(expected.mode(), st.mode(), where);
                        case SYMLINK -> assertEquals(expected.target(), new String(st.target(), StandardCharsets.UTF_8), where);
                    }
                }
            }
            // the one-pass history gives, after each version, what a rebuild at that version gives
            for (String p : everSeen) {
                List<dev.timemachine.api.Version> versions = store.versions(id).history(b(p));
                List<Optional<FileState>> states = replayer.statesAfterEach(b(p), versions);
                for (int k = 0; k < versions.size(); k++) {
                    dev.timemachine.api.Version v = versions.get(k);
                    Optional<FileState> want = replayer.stateAt(b(p), v.timeNs(), v.sequence());
                    Optional<FileState> got = states.get(k);
                    String where = p + " after " + v;
                    assertEquals(want.isPresent(), got.isPresent(), where);
                    if (want.isPresent()) {
                        assertEquals(want.get().type(), got.get().type(), where);
                        assertEquals(want.get().mode(), got.get().mode(), where);
                        assertEquals(want.get().size(), got.get().size(), where);
                        assertEquals(want.get().approximate(), got.get().approximate(), where);
                        assertArrayEquals(want.get().target(), got.get().target(), where);
                    }
                }
            }
            List<byte[]> hot = new ArrayList<>();
            store.versions(id).history(b(ROOT + "/hot")).forEach(v -> {
                if (v.record().kind() == dev.timemachine.api.VersionRecord.Kind.KEYFRAME) {
                    hot.add(v.path());
                }
            });
            assertTrue(hot.size() >= 2, "2,500 writes of 4 KiB should produce keyframes beyond the create, got " + hot.size());
        }
    }
}
