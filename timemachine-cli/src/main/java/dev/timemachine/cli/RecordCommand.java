package dev.timemachine.cli;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.RecordRequest;
import dev.timemachine.core.RecordResult;
import dev.timemachine.core.TimeMachine;
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

    @Option(names = "--capture", defaultValue = TimeMachine.AUTO_CAPTURE, paramLabel = "NAME",
            description = "Event source: auto or a name (${DEFAULT-VALUE} picks the first that can run).")
    String capture;

    @Option(names = "--store", paramLabel = "ENGINE",
            description = "Storage engine of a new state dir: rocks (default) or lmdb.")
    String store;

    @Option(names = "--compact", defaultValue = "now", paramLabel = "WHEN",
            description = "now (default): exit with the recording compacted; later: exit once everything is journaled and"
                    + " synced, and leave compaction to the next command that opens the state dir.")
    String compact;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command to record, after --.")
    List<String> command;

    @Spec
    CommandSpec spec;

    /** The default event source, being made since {@link #prestart} saw a command line that wants it. */
    private static final AtomicReference<CompletableFuture<EventSource>> EARLY = new AtomicReference<>();

    /**
     * Starts making the {@code --capture auto} event source before picocli has built its command model: loading
     * the BPF programs is the longest step of {@code record}'s start-up (~0.2 s), and until now it waited for
     * picocli (~50 ms) and then the store opened beside it. Only for {@code record} without {@code --capture},
     * help or version among its arguments; {@link #call} uses it, and {@link #discardEarly} closes it if not.
     */
    static void prestart(String... args) {
        if (wantsAutoCapture(args)) {
            discard(EARLY.getAndSet(CompletableFuture.supplyAsync(() -> TimeMachine.eventSource(TimeMachine.AUTO_CAPTURE))));
        }
    }

    /** Whether the command line is surely a {@code record} with the default {@code --capture}. */
    static boolean wantsAutoCapture(String... args) {
        if (args.length == 0 || !args[0].equals("record")) {
            return false;
        }
        for (int i = 1; i < args.length && !args[i].equals("--"); i++) {
            String a = args[i];
            if (a.startsWith("--capture") || a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return false;
            }
        }
        return true;
    }

    /** Whether a source made by {@link #prestart} is waiting to be used (for tests). */
    static boolean hasEarlySource() {
        return EARLY.get() != null;
    }

    /** Closes the source {@link #prestart} made, once it is made, if the command line never came to use it. */
    static void discardEarly() {
        discard(EARLY.getAndSet(null));
    }

    private static void discard(CompletableFuture<EventSource> source) {
        if (source != null) {
            source.thenAccept(EventSource::close);
        }
    }

    @Override
    public Integer call() throws Exception {
        CompletableFuture<EventSource> early = EARLY.getAndSet(null);
        if (early != null && !TimeMachine.AUTO_CAPTURE.equals(capture)) {
            discard(early);
            early = null;
        }
        PrintWriter err = spec.commandLine().getErr();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                discard(early);
                throw new UsageException("--path " + root + " is not a directory");
            }
        }
        String missing = unrunnable(command.get(0));
        if (missing != null) {
            discard(early);
            err.println("timemachine: cannot run " + command.get(0) + ": " + missing + "; nothing was recorded");
            return 127; // as a shell says of a command it cannot find
        }
        if (!compact.equals("now") && !compact.equals("later")) {
            discard(early);
            throw new UsageException("--compact: expected now or later, got '" + compact + "'");
        }
        RecordRequest base;
        try {
            base = RecordRequest.of(command).withRoots(roots).withExcludes(excludes)
                    .withCompactionLater(compact.equals("later"));
        } catch (IllegalArgumentException e) {
            discard(early);
            throw new UsageException("--exclude: " + e.getMessage());
        }
        // loading the BPF program and opening the store each take a few hundred ms: do both at once
        CompletableFuture<EventSource> pending = early != null ? early
                : CompletableFuture.supplyAsync(() -> TimeMachine.eventSource(capture));
        TimeMachine tm = openStore(pending);
        RecordResult outcome;
        try {
            AtomicReference<Process> child = new AtomicReference<>();
            SignalForwarding.install(child);
            outcome = tm.record(base.withSource(join(pending)).onStart(child::set)
                    .withProgress(TerminalProgress.of(err, "record")));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        } finally {
            closeQuietly(tm, err);
        }
        // after close: the state dir's size is what it holds on disk
        err.println("timemachine: " + summary(outcome.recording(), outcome.approximate().size()));
        outcome.recording().incompleteness().ifPresent(why -> err.println("timemachine: warning: " + why));
        if (outcome.failure() != null) {
            err.println("timemachine: recording stopped early: " + outcome.failure().getMessage()
                    + "; what was journaled before that is kept");
        }
        return outcome.exitCode();
    }

    /** A store that cannot close cleanly (a full disk) must not hide the command's exit code. */
    private static void closeQuietly(TimeMachine tm, PrintWriter err) {
        try {
            tm.close();
        } catch (RuntimeException e) {
            err.println("timemachine: closing the state dir: " + e.getMessage());
        }
    }

    private TimeMachine openStore(CompletableFuture<EventSource> pending) {
        StoreOptions.warnAbout(stateDir, spec);
        try {
            return TimeMachine.create(stateDir, StoreOptions.options(spec).withEngine(store));
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
        String compaction = r.complete() ? String.format("compaction done %.2fs after the command",
                c.getOrDefault("compactionLagNanos", 0L) / 1e9) : "compaction left to the next command that opens the state dir";
        return String.format("recorded %s in %.2fs: %d events, %s written, %d versions, %d dropped, %d approximate files, %s, state %s (recording %d in %s)",
                String.join(" ", r.command()), (r.endMonoNs() - r.startMonoNs()) / 1e9, c.getOrDefault("events", 0L),
                Sizes.human(c.getOrDefault("bytes", 0L)), c.getOrDefault("versions", 0L), c.getOrDefault("dropped", 0L),
                approximate, compaction, Sizes.human(Sizes.ofTree(stateDir)), r.id(), stateDir);
    }

    /**
     * Why {@code program} cannot be run, or null if it can: a path that is not an executable file, or a name that
     * no directory of PATH holds as one. Checked before anything is recorded, so that a typo leaves no recording.
     */
    static String unrunnable(String program) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return !Files.exists(p) ? "no such file" : Files.isDirectory(p) ? "it is a directory"
                    : !Files.isExecutable(p) ? "it is not executable" : null;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return null;
            }
        }
        return "not found in PATH";
    }
}
