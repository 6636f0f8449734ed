package dev.timemachine.core;

import dev.timemachine.api.Journal;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.api.spi.StorageEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The recorder's stage 2 without its threads, for benchmarks and tests that feed the journal themselves: one
 * recording of one root in a state dir, its baseline scanned, and a compactor built exactly as the recorder
 * builds it.
 */
public final class CompactionRig implements AutoCloseable {
    private final TimeMachine tm;
    private final RecordingInfo info;
    private final Compactor compactor;

    private CompactionRig(TimeMachine tm, RecordingInfo info, Compactor compactor) {
        this.tm = tm;
        this.info = info;
        this.compactor = compactor;
    }

    /**
     * Creates the state dir with {@code engine}, registers a recording of {@code root} started at monotonic
     * {@code startNs}, and scans its baseline.
     */
    public static CompactionRig create(Path stateDir, String engine, Path root, long startNs, Clock clock) {
        return create(TimeMachine.create(stateDir, TimeMachine.Options.defaults().withEngine(engine)), stateDir, root,
                startNs, clock);
    }

    /** The same with an engine instance. */
    public static CompactionRig create(Path stateDir, StorageEngine engine, Path root, long startNs, Clock clock) {
        return create(TimeMachine.create(stateDir, TimeMachine.Options.defaults().withEngine(engine)), stateDir, root,
                startNs, clock);
    }

    private static CompactionRig create(TimeMachine tm, Path stateDir, Path root, long startNs, Clock clock) {
        KvTimeMachineStore store = (KvTimeMachineStore) tm.store();
        Instant now = clock.instant();
        RecordingInfo info = store.recordings().create(new RecordingInfo(0, startNs,
                now.getEpochSecond() * 1_000_000_000L + now.getNano(), 0, List.of("bench"), List.of(root.toString()),
                "synthetic", -1, false, Map.of()));
        PathFilter filter = new PathFilter(List.of(root), List.of(), stateDir);
        BaselineScanner.Result scanned = new BaselineScanner(store, filter, 1)
                .scan(info.id(), List.of(root), startNs, ProgressListener.SILENT);
        Compactor compactor = new Compactor(store, info.id(), scanned.tree(), filter, new KvReplayer(store, info.id()));
        return new CompactionRig(tm, info, compactor);
    }

    public TimeMachine timeMachine() {
        return tm;
    }

    public TimeMachineStore store() {
        return tm.store();
    }

    public RecordingInfo recording() {
        return info;
    }

    public Journal journal() {
        return tm.store().journal(info.id());
    }

    /** Compacts every journaled entry stamped at or before {@code watermarkNs}; returns how many. */
    public long compactUpTo(long watermarkNs) {
        return compactor.compactUpTo(watermarkNs);
    }

    /** Events compacted so far. */
    public long compactedEvents() {
        return compactor.counters().events();
    }

    /** Version records written so far. */
    public long versions() {
        return compactor.counters().versions();
    }

    /** Payload bytes compacted so far. */
    public long compactedBytes() {
        return compactor.counters().bytes();
    }

    /** The bytes of {@code path} after everything compacted. */
    public byte[] contentAt(byte[] path) {
        return new KvReplayer(tm.store(), info.id()).contentAt(path, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    @Override
    public void close() {
        tm.close();
    }
}
