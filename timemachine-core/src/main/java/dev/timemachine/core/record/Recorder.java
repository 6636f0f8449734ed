package dev.timemachine.core.record;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.KvTimeMachineStore;
import dev.timemachine.core.replay.KvReplayer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Records one command: baseline of the roots, then the command started stopped, tracked, and let go, its
 * events journaled and compacted while it runs, and on its exit everything drained, compacted and synced,
 * and the recording marked complete. The command's exit code is returned, never changed by recording.
 */
public final class Recorder {

    /**
     * What to record.
     *
     * @param roots    absolute, normalised roots
     * @param excludes globs kept out of the recording, payload included
     * @param stateDir the state dir, never recorded
     * @param command  the command and its arguments
     */
    public record Options(List<Path> roots, List<String> excludes, Path stateDir, List<String> command) {
        public Options {
            roots = List.copyOf(roots);
            excludes = List.copyOf(excludes);
            command = List.copyOf(command);
        }
    }

    /**
     * How it went.
     *
     * @param exitCode    the command's exit code, 128+signal if a signal killed it
     * @param recording   the stored description of the recording
     * @param approximate paths whose versions are approximate
     * @param failure     what stopped recording early (the command ran on), or null
     */
    public record Outcome(int exitCode, RecordingInfo recording, List<byte[]> approximate, Throwable failure) {
    }

    private Recorder() {
    }

    /** Sends signal {@code name} (INT, TERM...) to a recorded command, to forward what the recorder received. */
    public static void forward(Process process, String name) {
        CommandLauncher.signal(process.pid(), name);
    }

    /**
     * Records {@code options.command()} with {@code source}, which must not be started yet.
     *
     * @param onStart called with the command's process once it runs (to forward signals to it)
     * @param status  told what the recorder is doing, for a terminal
     */
    public static Outcome record(KvTimeMachineStore store, EventSource source, Options options,
                                 Consumer<Process> onStart, Consumer<String> status) throws InterruptedException {
        PathFilter filter = new PathFilter(options.roots(), options.excludes(), options.stateDir());
        source.start();
        long startMono = System.nanoTime();
        Instant now = Instant.now();
        long startWall = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        RecordingInfo info = store.recordings().create(new RecordingInfo(0, startMono, startWall, 0,
                options.command(), options.roots().stream().map(Path::toString).toList(), source.name(), -1, false,
                Map.of()));
        int id = info.id();
        status.accept("baseline of " + options.roots().size() + " root(s)");
        BaselineScanner.Result baseline = new BaselineScanner(store, filter, Runtime.getRuntime().availableProcessors())
                .scan(id, options.roots(), startMono, n -> status.accept("baseline: " + n + " files"));
        KvReplayer replayer = new KvReplayer(store, id);
        Compactor compactor = new Compactor(store, id, baseline.tree(), filter, replayer::contentAt);
        Pipeline pipeline = new Pipeline(source, filter, store.journal(id), compactor);
        pipeline.start();
        int exit;
        long exitedAt;
        try {
            Process process = CommandLauncher.startStopped(options.command());
            source.track((int) process.pid());
            CommandLauncher.resume(process);
            onStart.accept(process);
            status.accept("running");
            exit = process.waitFor();
        } finally {
            exitedAt = System.nanoTime();
            status.accept("finishing: journaling and compacting what is left");
            pipeline.finish();
        }
        long lagNanos = System.nanoTime() - exitedAt;
        Throwable failure = pipeline.failure();
        if (failure == null) {
            store.sync();
        }
        Compactor.Counters c = compactor.counters();
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("events", c.events());
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
        RecordingInfo done = new RecordingInfo(id, startMono, startWall, System.nanoTime(), info.command(),
                info.roots(), info.capture(), exit, failure == null, counters);
        try {
            store.recordings().update(done);
            store.sync();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            }
        }
        return new Outcome(exit, done, compactor.approximatePaths(), failure);
    }
}
