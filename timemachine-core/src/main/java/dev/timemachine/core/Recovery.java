package dev.timemachine.core;

import dev.timemachine.api.FileState;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.RecordingInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finishes recordings whose recorder died (SIGKILL, power loss) before closing them: rebuilds the tree state
 * at the compacted position from the version index, compacts the rest of the journal, and marks the
 * recording complete with an unknown exit code. Every command that opens a state dir calls this first, so
 * nothing journaled is ever ignored. Safe because a state dir is opened by one process at a time.
 */
final class Recovery {
    /** The counter that marks a recording whose recorder left compaction for later (its events are counted). */
    static final String PENDING = "compactionPending";

    private Recovery() {
    }

    /** Finishes every incomplete recording; returns the ids it finished. */
    static List<Integer> finishInterrupted(KvTimeMachineStore store) {
        List<Integer> finished = new ArrayList<>();
        for (RecordingInfo info : store.recordings().list()) {
            if (!info.complete()) {
                finish(store, info);
                finished.add(info.id());
            }
        }
        return finished;
    }

    private static void finish(KvTimeMachineStore store, RecordingInfo info) {
        int id = info.id();
        KvReplayer replayer = new KvReplayer(store, id);
        JournalPosition compacted = store.journal(id).trimmedTo();
        // baseline versions sit at (start, 0) and every event after it: the state before the first
        // uncompacted entry includes the baseline even when nothing was compacted
        JournalPosition from = compacted.compareTo(new JournalPosition(info.startMonoNs(), 1)) > 0
                ? compacted : new JournalPosition(info.startMonoNs(), 1);
        TreeState tree = new TreeState();
        List<byte[]> paths = new ArrayList<>();
        store.versions(id).forEachPath(paths::add);
        for (byte[] path : paths) {
            Optional<FileState> s = replayer.stateAt(path, from.timeNs(), from.sequence() - 1);
            if (s.isEmpty()) {
                continue;
            }
            FileState st = s.get();
            switch (st.type()) {
                case DIRECTORY -> tree.put(path, new TreeState.Dir(st.mode()));
                case SYMLINK -> tree.put(path, new TreeState.Symlink(st.target()));
                case REGULAR -> {
                    TreeState.Inode inode = new TreeState.Inode(st.size(), st.mode());
                    inode.approximate = st.approximate();
                    tree.put(path, new TreeState.File(inode));
                }
            }
        }
        PathFilter filter = new PathFilter(info.roots().stream().map(Path::of).toList(), List.of(), null);
        Compactor compactor = new Compactor(store, id, tree, filter, replayer);
        compactor.compactUpTo(Long.MAX_VALUE);
        store.sync();
        Map<String, Long> counters = new HashMap<>(info.counters());
        Compactor.Counters c = compactor.counters();
        if (counters.remove(PENDING) == null) {
            counters.merge("events", c.events(), Long::sum);
        }
        counters.merge("versions", c.versions(), Long::sum);
        counters.merge("approximate", c.approximateFiles(), Long::sum);
        if (info.exitCode() < 0) {
            counters.put("recovered", 1L); // the recorder died before it knew the command's exit code
        }
        long end = Math.max(info.endMonoNs(), compactor.compactedTo().timeNs());
        store.recordings().update(new RecordingInfo(id, info.startMonoNs(), info.startWallNs(), end, info.command(),
                info.roots(), info.capture(), info.exitCode(), true, counters));
        store.sync();
    }
}
