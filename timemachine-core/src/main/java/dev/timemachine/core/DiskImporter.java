package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Journal;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.Op;
import java.util.Arrays;
import java.util.List;

/**
 * Takes from disk what the capture could not see: the bytes of a file changed where the capture cannot look
 * (a shared mapping, a dropped record), and paths that came into a root from outside it. What it reads is the
 * file as it is now, not as it was at the event, so whatever it gives is approximate.
 */
final class DiskImporter {
    /** How many later journal entries are searched for where a path that moved on went. */
    private static final int LOOKAHEAD = 100_000;

    /** What came in at a path: the entries found on disk (rebased to that path), or a directory known only by its children. */
    record Found(List<DiskReader.Entry> entries, boolean directoryWithoutEntries) {
    }

    private final DiskReader disk = new DiskReader();
    private final Journal journal;
    private final PathFilter filter;

    DiskImporter(Journal journal, PathFilter filter) {
        this.journal = journal;
        this.filter = filter;
    }

    /** The file at {@code path} with its content, or null if nothing is there (content null if unreadable). */
    DiskReader.Entry reread(byte[] path) {
        return disk.read(path);
    }

    /**
     * What came into the roots at {@code path} with the event at ({@code t}, {@code seq}): what is on disk there
     * now, parents first, paths rebased to {@code path}. If it has already moved on (renamed again before
     * compaction got here), its later renames in the journal are followed and it is taken from where it is now;
     * if it cannot be found but later events touch paths below it, it was a directory.
     */
    Found imported(byte[] path, long t, long seq) {
        List<DiskReader.Entry> entries = disk.walk(path, filter);
        if (!entries.isEmpty()) {
            return new Found(entries, false);
        }
        byte[][] now = {path};
        boolean[] hadChildren = {false};
        int[] looked = {0};
        journal.scan(new JournalPosition(t, seq + 1), e -> {
            FsEvent ev = e.event();
            if ((ev.op() == Op.RENAME || ev.op() == Op.EXCHANGE) && Arrays.equals(ev.path(), now[0])) {
                now[0] = ev.path2();
            } else if (ev.path().length > now[0].length && PathFilter.isUnder(ev.path(), now[0])) {
                hadChildren[0] = true;
            }
            return ++looked[0] < LOOKAHEAD;
        });
        if (!Arrays.equals(now[0], path)) {
            byte[] there = now[0];
            entries = DiskReader.toPath(there)
                    .map(root -> disk.walk(there, new PathFilter(List.of(root), List.of(), null)))
                    .orElse(List.of())
                    .stream()
                    .map(e -> e.at(TreeState.rebase(e.path(), there, path)))
                    .toList();
        }
        return new Found(entries, entries.isEmpty() && hadChildren[0]);
    }
}
