package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import dev.timemachine.api.spi.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The victim of {@link CrashContract}'s compaction test: journals a deterministic history of writes to a few
 * files, starts compacting it, and in the middle of a chunk after the first prints {@code COMPACTING} and the
 * journal sequence compacted so far, and waits to be killed. Arguments: engine class name, state dir, root. Exits by itself once its standard input closes.
 */
public final class CompactionCrashWriter {
    static final int FILES = 12;
    static final int WRITES = 12_000;
    static final long START_NS = 1_000_000_000L;

    private CompactionCrashWriter() {
    }

    static byte[] path(Path root, int file) {
        return (root + "/f" + file).getBytes(StandardCharsets.UTF_8);
    }

    /** Write {@code i}: which file, where, what (some inline, most for the content store; overwrites included). */
    static FsEvent write(Path root, int i) {
        int file = i % FILES;
        byte[] payload = new byte[i % 5 == 0 ? 100 : 700];
        Arrays.fill(payload, (byte) i);
        payload[0] = (byte) (i >> 8);
        long offset = (long) (i / FILES) * 300 % 200_000;
        return new FsEvent(START_NS + 1_000 + i, 9, 9, Op.WRITE, path(root, file), null, offset, payload.length, 0, payload, 0);
    }

    /** The bytes each file holds after every write. */
    static byte[][] expected(Path root) {
        byte[][] files = new byte[FILES][0];
        for (int i = 0; i < WRITES; i++) {
            FsEvent e = write(root, i);
            int f = i % FILES;
            files[f] = Arrays.copyOf(files[f], (int) Math.max(files[f].length, e.offset() + e.payload().length));
            System.arraycopy(e.payload(), 0, files[f], (int) e.offset(), e.payload().length);
        }
        return files;
    }

    public static void main(String[] args) throws Exception {
        CrashWriter.exitWhenParentGoes();
        FaultyEngine engine = new FaultyEngine((StorageEngine) Class.forName(args[0]).getDeclaredConstructor().newInstance());
        Path root = Path.of(args[2]);
        CompactionRig rig = CompactionRig.create(Path.of(args[1]), engine, root, START_NS, Clock.systemUTC());
        List<FsEvent> events = new ArrayList<>();
        for (int f = 0; f < FILES; f++) {
            events.add(new FsEvent(START_NS + 1 + f, 9, 9, Op.CREATE, path(root, f), null, 0, 0, 0644, null, 0));
        }
        for (int i = 0; i < WRITES; i++) {
            events.add(write(root, i));
            if (events.size() == 1_000) {
                rig.journal().append(events);
                events.clear();
            }
        }
        rig.journal().append(events);
        // the second commit after the first chunk was trimmed: a later chunk has its content stored, not yet its
        // versions, summaries and trim
        long[] firstTrimSeen = {-1};
        engine.beforeEachCommit(n -> {
            if (firstTrimSeen[0] < 0 && rig.journal().trimmedTo().sequence() > 0) {
                firstTrimSeen[0] = n;
            }
            if (firstTrimSeen[0] > 0 && n == firstTrimSeen[0] + 1) {
                System.out.println("COMPACTING " + rig.journal().trimmedTo().sequence());
                System.out.flush();
                while (true) {
                    LockSupport.park();
                }
            }
        });
        rig.compactUpTo(Long.MAX_VALUE);
        System.out.println("FINISHED without being killed");
    }
}
