package dev.timemachine.core;

import dev.timemachine.api.EventSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What to record ({@link TimeMachine#record}): a command, the roots whose changes are kept, the globs kept out,
 * and where the events come from. Immutable; each {@code with} method returns a changed copy.
 *
 * <pre>{@code
 * RecordRequest.of("make", "test").withRoots(List.of(workTree)).withExcludes(List.of("*.log"))
 * }</pre>
 */
public final class RecordRequest {
    private final List<String> command;
    private final List<Path> roots;
    private final List<String> excludes;
    private final String capture;
    private final EventSource source;
    private final Consumer<Process> onStart;
    private final ProgressListener progress;
    private final boolean compactLater;

    private RecordRequest(List<String> command, List<Path> roots, List<String> excludes, String capture,
                          EventSource source, Consumer<Process> onStart, ProgressListener progress, boolean compactLater) {
        this.command = List.copyOf(command);
        this.roots = List.copyOf(roots);
        this.excludes = List.copyOf(excludes);
        this.capture = Objects.requireNonNull(capture, "capture");
        this.source = source;
        this.onStart = Objects.requireNonNull(onStart, "onStart");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.compactLater = compactLater;
    }

    /**
     * Records {@code command} with its arguments; by default under the current directory, with the first event
     * source that can run here, nothing excluded.
     */
    public static RecordRequest of(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command to record");
        }
        return new RecordRequest(command, List.of(), List.of(), TimeMachine.AUTO_CAPTURE, null, p -> { },
                ProgressListener.SILENT, false);
    }

    /** Records {@code command} with its arguments. */
    public static RecordRequest of(String... command) {
        return of(List.of(command));
    }

    /** The directories whose changes are recorded (default: the current directory). */
    public RecordRequest withRoots(List<Path> roots) {
        return new RecordRequest(command, roots, excludes, capture, source, onStart, progress, compactLater);
    }

    /**
     * Globs whose paths, and their bytes, stay out of the recording: a name at any depth ({@code *.log}), a path
     * under a root ({@code build/**}), or an absolute path.
     *
     * @throws IllegalArgumentException naming the first glob that is not well formed
     */
    public RecordRequest withExcludes(List<String> excludes) {
        PathFilter.check(excludes);
        return new RecordRequest(command, roots, excludes, capture, source, onStart, progress, compactLater);
    }

    /** The event source by name ({@code ebpf}), or {@link TimeMachine#AUTO_CAPTURE} for the first that can run. */
    public RecordRequest withCapture(String name) {
        return new RecordRequest(command, roots, excludes, name, null, onStart, progress, compactLater);
    }

    /**
     * An event source made already (not started), for a caller that made it early to save start-up time. The
     * recording starts, and closes, it.
     */
    public RecordRequest withSource(EventSource source) {
        return new RecordRequest(command, roots, excludes, source.name(), Objects.requireNonNull(source), onStart,
                progress, compactLater);
    }

    /** Called with the command's process once it runs: to forward signals to it. */
    public RecordRequest onStart(Consumer<Process> onStart) {
        return new RecordRequest(command, roots, excludes, capture, source, onStart, progress, compactLater);
    }

    /** Told each step of the recording (baseline, running, finishing) and its progress. */
    public RecordRequest withProgress(ProgressListener progress) {
        return new RecordRequest(command, roots, excludes, capture, source, onStart, progress, compactLater);
    }

    /**
     * Whether to leave compaction to the next command that opens the state dir: {@code record} then returns as
     * soon as everything is journaled and synced, and the recording stays incomplete until then. For CI jobs
     * whose recordings are seldom read.
     */
    public RecordRequest withCompactionLater(boolean later) {
        return new RecordRequest(command, roots, excludes, capture, source, onStart, progress, later);
    }

    public boolean compactLater() {
        return compactLater;
    }

    public List<String> command() {
        return command;
    }

    public List<Path> roots() {
        return roots;
    }

    public List<String> excludes() {
        return excludes;
    }

    public String capture() {
        return capture;
    }

    EventSource source() {
        return source;
    }

    Consumer<Process> onStart() {
        return onStart;
    }

    ProgressListener progress() {
        return progress;
    }
}
