package dev.timemachine.core;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.RecordingInfo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records one command: baseline of the roots, then the command started stopped, tracked, and let go, its
 * events journaled and compacted while it runs, and on its exit everything drained, compacted and synced,
 * and the recording marked complete; or, with compaction left for later, journaled and synced, and the
 * recording left for the next opening of the state dir to compact. The command's exit code is returned, never
 * changed by recording. {@link #start} and {@link Active#finish} are the two halves, for a recording of
 * processes that are running already (this JVM, for a test).
 */
final class Recorder {
    private final KvTimeMachineStore store;
    private final EventSource source;
    private final RecordRequest request;
    private final Ticker ticker;

    private Recorder(KvTimeMachineStore store, EventSource source, RecordRequest request, Ticker ticker) {
        this.store = store;
        this.source = source;
        this.request = request;
        this.ticker = ticker;
    }

    /**
     * Records {@code request}'s command with {@code source}, which is not started yet.
     *
     * @param roots    absolute, real roots
     * @param stateDir the state dir's real path, never recorded
     */
    static RecordResult record(KvTimeMachineStore store, EventSource source, RecordRequest request, List<Path> roots,
                               Path stateDir, Ticker ticker, Clock clock) throws InterruptedException {
        Active active = start(store, source, request, roots, stateDir, ticker, clock);
        int exit = -1;
        try {
            Process process = CommandLauncher.startStopped(request.command());
            source.track((int) process.pid());
            CommandLauncher.resume(process);
            request.onStart().accept(process);
            request.progress().step("running");
            exit = process.waitFor();
        } finally {
            if (exit < 0) {
                active.finish(-1);
            }
        }
        return active.finish(exit);
    }

    /**
     * Starts a recording: the capture, the recording's description, the baseline, the pipeline. Processes are
     * tracked by the caller ({@link EventSource#track}).
     */
    static Active start(KvTimeMachineStore store, EventSource source, RecordRequest request, List<Path> roots,
                        Path stateDir, Ticker ticker, Clock clock) {
        return new Recorder(store, source, request, ticker).begin(roots, stateDir, clock);
    }

    private Active begin(List<Path> roots, Path stateDir, Clock clock) {
        ProgressListener progress = request.progress();
        PathFilter filter = new PathFilter(roots, request.excludes(), stateDir);
        source.start();
        long startMono = ticker.read();
        Instant now = clock.instant();
        long startWall = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        RecordingInfo info = store.recordings().create(new RecordingInfo(0, startMono, startWall, 0,
                request.command(), roots.stream().map(Path::toString).toList(), source.name(), -1, false, Map.of()));
        progress.step("baseline of " + roots.size() + " root(s)");
        BaselineScanner.Result baseline = new BaselineScanner(store, filter, Runtime.getRuntime().availableProcessors())
                .scan(info.id(), roots, startMono, progress);
        Compactor compactor = request.compactLater() ? null
                : new Compactor(store, info.id(), baseline.tree(), filter, new KvReplayer(store, info.id()));
        Pipeline pipeline = new Pipeline(source, filter, store.kvJournal(info.id()), compactor, Schedule.DEFAULT, ticker);
        pipeline.start();
        return new Active(info, baseline, compactor, pipeline);
    }

    /** A recording under way. Not thread-safe: finished once, by the thread that started it or another. */
    final class Active {
        private final RecordingInfo info;
        private final BaselineScanner.Result baseline;
        private final Compactor compactor;
        private final Pipeline pipeline;
        private RecordResult result;

        private Active(RecordingInfo info, BaselineScanner.Result baseline, Compactor compactor, Pipeline pipeline) {
            this.info = info;
            this.baseline = baseline;
            this.compactor = compactor;
            this.pipeline = pipeline;
        }

        RecordingInfo info() {
            return info;
        }

        /**
         * Ends the recording: drains what is left, journals and compacts it, syncs, and stores the description
         * with {@code exitCode} (-1: unknown). Once; later calls give the same result.
         */
        synchronized RecordResult finish(int exitCode) throws InterruptedException {
            if (result != null) {
                return result;
            }
            ProgressListener progress = request.progress();
            long exitedAt = ticker.read();
            progress.step("finishing: journaling and compacting what is left");
            try {
                pipeline.finish();
            } finally {
                progress.finished();
            }
            long lagNanos = ticker.read() - exitedAt;
            Throwable failure = pipeline.failure();
            if (failure == null) {
                store.sync();
            }
            Compactor.Counters c = compactor == null ? new Compactor.Counters(0, 0, 0, 0) : compactor.counters();
            Map<String, Long> counters = new LinkedHashMap<>();
            counters.put("events", compactor == null ? pipeline.journaledEvents() : c.events());
            if (compactor == null) {
                counters.put(Recovery.PENDING, 1L);
            }
            counters.put("bytes", pipeline.payloadBytes());
            counters.put("versions", c.versions() + baseline.files() + baseline.directories() + baseline.symlinks());
            counters.put("dropped", source.droppedRecords()); // LOST events re-report these drops per file
            counters.put("approximate", c.approximateFiles());
            counters.put("late", pipeline.lateEvents());
            if (pipeline.unseenPrograms() > 0) {
                counters.put(RecordingInfo.UNSEEN_PROGRAMS, pipeline.unseenPrograms());
            }
            if (pipeline.specialFiles() + baseline.specialFiles() > 0) {
                counters.put(RecordingInfo.SPECIAL_FILES, pipeline.specialFiles() + baseline.specialFiles());
            }
            counters.put("compactionLagNanos", lagNanos);
            counters.put("unjournaled", pipeline.unjournaledEvents());
            counters.put("baselineFiles", baseline.files());
            counters.put("baselineBytes", baseline.bytes());
            counters.put("baselineCached", baseline.cached());
            RecordingInfo done = new RecordingInfo(info.id(), info.startMonoNs(), info.startWallNs(), ticker.read(),
                    info.command(), info.roots(), info.capture(), exitCode, failure == null && compactor != null, counters);
            try {
                store.recordings().update(done);
                store.sync();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
            result = new RecordResult(exitCode, done, compactor == null ? List.of() : compactor.approximatePaths(), failure);
            return result;
        }
    }
}
