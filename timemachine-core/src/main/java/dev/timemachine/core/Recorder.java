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
 * changed by recording.
 */
final class Recorder {
    private Recorder() {
    }

    /**
     * Records with {@code source}, which is not started yet.
     *
     * @param roots    absolute, real roots
     * @param stateDir the state dir's real path, never recorded
     */
    static RecordResult record(KvTimeMachineStore store, EventSource source, RecordRequest request, List<Path> roots,
                               Path stateDir, Ticker ticker, Clock clock) throws InterruptedException {
        ProgressListener progress = request.progress();
        PathFilter filter = new PathFilter(roots, request.excludes(), stateDir);
        source.start();
        long startMono = ticker.read();
        Instant now = clock.instant();
        long startWall = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        RecordingInfo info = store.recordings().create(new RecordingInfo(0, startMono, startWall, 0,
                request.command(), roots.stream().map(Path::toString).toList(), source.name(), -1, false, Map.of()));
        int id = info.id();
        progress.step("baseline of " + roots.size() + " root(s)");
        BaselineScanner.Result baseline = new BaselineScanner(store, filter, Runtime.getRuntime().availableProcessors())
                .scan(id, roots, startMono, progress);
        Compactor compactor = request.compactLater() ? null
                : new Compactor(store, id, baseline.tree(), filter, new KvReplayer(store, id));
        Pipeline pipeline = new Pipeline(source, filter, store.kvJournal(id), compactor, Schedule.DEFAULT, ticker);
        pipeline.start();
        int exit;
        long exitedAt;
        try {
            Process process = CommandLauncher.startStopped(request.command());
            source.track((int) process.pid());
            CommandLauncher.resume(process);
            request.onStart().accept(process);
            progress.step("running");
            exit = process.waitFor();
        } finally {
            exitedAt = ticker.read();
            progress.step("finishing: journaling and compacting what is left");
            pipeline.finish();
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
        counters.put("compactionLagNanos", lagNanos);
        counters.put("unjournaled", pipeline.unjournaledEvents());
        counters.put("baselineFiles", baseline.files());
        counters.put("baselineBytes", baseline.bytes());
        counters.put("baselineCached", baseline.cached());
        RecordingInfo done = new RecordingInfo(id, startMono, startWall, ticker.read(), info.command(),
                info.roots(), info.capture(), exit, failure == null && compactor != null, counters);
        try {
            store.recordings().update(done);
            store.sync();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            }
        }
        return new RecordResult(exit, done, compactor == null ? List.of() : compactor.approximatePaths(), failure);
    }
}
