package dev.timemachine.cli;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.EventSources;
import dev.timemachine.core.KvTimeMachineStore;
import dev.timemachine.core.Stores;
import dev.timemachine.core.record.Recorder;
import dev.timemachine.core.record.Recovery;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Records every file change a command and its children make under the roots. */
@Command(name = "record", mixinStandardHelpOptions = true,
        description = {"Run CMD and record every file change it and its children make under the roots.",
                "Exits with CMD's exit code (128+signal if it was killed)."})
final class RecordCommand implements Callable<Integer> {

    @Option(names = "--state-dir", defaultValue = ".timemachine", paramLabel = "DIR",
            description = "Where the recording goes (created mode 0700; never recorded itself). Default: ${DEFAULT-VALUE}.")
    Path stateDir;

    @Option(names = "--path", paramLabel = "ROOT", description = "A root to record (repeatable). Default: the current directory.")
    List<Path> roots = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB",
            description = "Keep matching paths, and their bytes, out of the recording (repeatable): a name (*.log), a path under a root (build/**) or an absolute path.")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--capture", defaultValue = EventSources.AUTO, paramLabel = "NAME",
            description = "Event source: auto or a name (${DEFAULT-VALUE} picks the first that can run).")
    String capture;

    @Option(names = "--store", paramLabel = "ENGINE",
            description = "Storage engine of a new state dir: rocks (default) or lmdb.")
    String store;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command to record, after --.")
    List<String> command;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        List<Path> realRoots = new ArrayList<>();
        for (Path root : roots.isEmpty() ? List.of(Path.of("")) : roots) {
            if (!Files.isDirectory(root)) {
                throw new UsageException("--path " + root + " is not a directory");
            }
            realRoots.add(root.toRealPath());
        }
        // loading the BPF program and opening the store each take a few hundred ms: do both at once
        CompletableFuture<EventSource> pending = CompletableFuture.supplyAsync(() -> EventSources.create(capture, Map.of()));
        KvTimeMachineStore st = openStore(pending);
        Recorder.Outcome outcome;
        try (EventSource source = join(pending)) {
            Recovery.finishInterrupted(st);
            AtomicReference<Process> child = new AtomicReference<>();
            SignalForwarding.install(child);
            boolean terminal = System.console() != null;
            outcome = Recorder.record(st, source, new Recorder.Options(realRoots, excludes, stateDir.toRealPath(), command),
                    child::set, msg -> {
                        if (terminal) {
                            err.println("timemachine: " + msg);
                        }
                    });
        } finally {
            closeQuietly(st, err);
        }
        // after close: the state dir's size is what it holds on disk
        err.println("timemachine: " + summary(outcome.recording(), outcome.approximate().size()));
        if (outcome.failure() != null) {
            err.println("timemachine: recording stopped early: " + outcome.failure().getMessage()
                    + "; what was journaled before that is kept");
        }
        return outcome.exitCode();
    }

    /** A store that cannot close cleanly (a full disk) must not hide the command's exit code. */
    private static void closeQuietly(KvTimeMachineStore st, PrintWriter err) {
        try {
            st.close();
        } catch (RuntimeException e) {
            err.println("timemachine: closing the state dir: " + e.getMessage());
        }
    }

    private KvTimeMachineStore openStore(CompletableFuture<EventSource> pending) {
        try {
            return Stores.openOrCreate(stateDir, store, Map.of());
        } catch (RuntimeException e) {
            pending.thenAccept(EventSource::close);
            throw e;
        }
    }

    private static EventSource join(CompletableFuture<EventSource> pending) {
        try {
            return pending.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private String summary(RecordingInfo r, int approximate) throws IOException {
        Map<String, Long> c = r.counters();
        return String.format("recorded %s in %.2fs: %d events, %s written, %d versions, %d dropped, %d approximate files, compaction done %.2fs after the command, state %s (recording %d in %s)",
                String.join(" ", r.command()), (r.endMonoNs() - r.startMonoNs()) / 1e9, c.getOrDefault("events", 0L),
                Sizes.human(c.getOrDefault("bytes", 0L)), c.getOrDefault("versions", 0L), c.getOrDefault("dropped", 0L),
                approximate, c.getOrDefault("compactionLagNanos", 0L) / 1e9, Sizes.human(Sizes.ofTree(stateDir)), r.id(),
                stateDir);
    }
}
