package dev.timemachine.core;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.FileState;
import dev.timemachine.api.NotAStateDirException;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.Replayer;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.api.UnknownNameException;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.StorageEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A state dir, opened: the one entry point to record a command, replay and export what it did, and look after
 * the recordings. Engines (RocksDB, LMDB) and event sources (eBPF) on the class path are found by name.
 *
 * <pre>{@code
 * try (TimeMachine tm = TimeMachine.create(stateDir, TimeMachine.Options.defaults())) {
 *     RecordResult run = tm.record(RecordRequest.of("make", "test").withRoots(List.of(workTree)));
 *     tm.export(run.recording(), TimeSpec.parse("2m30s").resolve(run.recording()), outDir);
 * }
 * }</pre>
 *
 * <p>Opening a state dir finishes every recording whose recorder died before closing it (compacting what its
 * journal still holds), so nothing journaled is ever ignored; if that cannot be written (a full disk), it is
 * done in memory for this instance and the options' listener is warned. A state dir is open in one process at
 * a time. Thread-safe for reading; one recording at a time. {@link #close()} is idempotent; anything else after
 * it throws {@link IllegalStateException}. Failures are {@link TimeMachineException}s; misuse is reported with
 * {@link IllegalArgumentException}.
 */
public final class TimeMachine implements AutoCloseable {
    /** The capture name that picks the first event source able to run here. */
    public static final String AUTO_CAPTURE = EventSources.AUTO;
    /** The engine of a new state dir when none is named. */
    public static final String DEFAULT_ENGINE = Stores.DEFAULT_ENGINE;

    /**
     * How to open a state dir. Immutable; each {@code with} method returns a changed copy.
     */
    public static final class Options {
        private final String engine;
        private final StorageEngine engineInstance;
        private final Map<String, String> engineSettings;
        private final Clock clock;
        private final Ticker ticker;
        private final boolean finishInterrupted;
        private final ProgressListener listener;
        private final boolean readOnly;

        private Options(String engine, StorageEngine engineInstance, Map<String, String> engineSettings, Clock clock,
                        Ticker ticker, boolean finishInterrupted, ProgressListener listener, boolean readOnly) {
            this.engine = engine;
            this.engineInstance = engineInstance;
            this.engineSettings = Map.copyOf(engineSettings);
            this.clock = Objects.requireNonNull(clock, "clock");
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            this.finishInterrupted = finishInterrupted;
            this.listener = Objects.requireNonNull(listener, "listener");
            this.readOnly = readOnly;
        }

        /** The engine a dir was created with (a new one: {@link #DEFAULT_ENGINE}), the system clocks, recovery on. */
        public static Options defaults() {
            return new Options(null, null, Map.of(), Clock.systemUTC(), Ticker.system(), true, ProgressListener.SILENT,
                    false);
        }

        /** The engine of a new state dir, by name; an existing one must have been created with it. */
        public Options withEngine(String name) {
            return new Options(name, null, engineSettings, clock, ticker, finishInterrupted, listener, readOnly);
        }

        /** An engine instance, whether or not it is registered with {@link java.util.ServiceLoader}. */
        public Options withEngine(StorageEngine engine) {
            return new Options(engine.name(), engine, engineSettings, clock, ticker, finishInterrupted, listener, readOnly);
        }

        /** Engine-specific settings; unknown keys are ignored. */
        public Options withEngineSettings(Map<String, String> settings) {
            return new Options(engine, engineInstance, settings, clock, ticker, finishInterrupted, listener, readOnly);
        }

        /** The wall clock: a recording's start instant, and the age {@link #recordingsOlderThan} measures. */
        public Options withClock(Clock clock) {
            return new Options(engine, engineInstance, engineSettings, clock, ticker, finishInterrupted, listener, readOnly);
        }

        /** The monotonic clock the recorder measures and schedules with (the capture's events carry their own). */
        public Options withTicker(Ticker ticker) {
            return new Options(engine, engineInstance, engineSettings, clock, ticker, finishInterrupted, listener, readOnly);
        }

        /**
         * Whether opening finishes interrupted recordings (the default). Off, the state dir is read exactly as
         * it is, which is what verification wants.
         */
        public Options withFinishInterrupted(boolean finish) {
            return new Options(engine, engineInstance, engineSettings, clock, ticker, finish, listener, readOnly);
        }

        /** Told what opening did that the user should know of, such as a recovery done in memory only. */
        public Options withListener(ProgressListener listener) {
            return new Options(engine, engineInstance, engineSettings, clock, ticker, finishInterrupted, listener, readOnly);
        }

        /**
         * Whether to open the state dir for reading only (default: no), so that other readers (an export while a
         * long verify runs) can have it open at the same time. Nothing is written to the state dir then: {@link
         * #record}, {@link #startRecording} and {@link #gc} refuse, and what else would write stays in memory.
         * A process that has it open for writing (a running record) keeps readers out, and one reader keeps
         * writers out. A state dir that needs work before it can be read (a recording whose recorder died, with
         * finishing on; an older format) is opened for writing this once, alone, as without this option.
         */
        public Options withReadOnly(boolean readOnly) {
            return new Options(engine, engineInstance, engineSettings, clock, ticker, finishInterrupted, listener, readOnly);
        }
    }

    private final Path stateDir;
    private final Options options;
    private final KvTimeMachineStore store;
    private final List<Integer> recovered;
    /** Why writes stay in memory (open for reading only, or the state dir could not be written), or null. */
    private final String readOnlyBecause;
    private volatile boolean closed;

    private TimeMachine(Path stateDir, Options options, KvTimeMachineStore store, List<Integer> recovered,
                        String readOnlyBecause) {
        this.stateDir = stateDir;
        this.options = options;
        this.store = store;
        this.recovered = List.copyOf(recovered);
        this.readOnlyBecause = readOnlyBecause;
    }

    /**
     * Opens an existing state dir with the engine it was created with.
     *
     * @throws NotAStateDirException if {@code stateDir} is not a state dir of a format this code reads
     */
    public static TimeMachine open(Path stateDir) {
        return open(stateDir, Options.defaults());
    }

    /**
     * Opens an existing state dir.
     *
     * @throws NotAStateDirException if {@code stateDir} is not a state dir of a format this code reads, or was
     *                               created with another engine than the options name
     */
    public static TimeMachine open(Path stateDir, Options options) {
        Stores.requireStateDir(stateDir);
        return create(stateDir, options);
    }

    /**
     * Opens the state dir in {@code stateDir}, creating it (mode 0700) if it does not exist or is empty.
     *
     * @throws UnknownNameException  if no engine has the name the options give
     * @throws NotAStateDirException if {@code stateDir} holds something else, or another engine's store
     */
    public static TimeMachine create(Path stateDir, Options options) {
        if (options.readOnly && Stores.isStateDir(stateDir)) {
            Optional<KvTimeMachineStore> shared = Stores.openShared(stateDir, options.engine, options.engineInstance,
                    options.engineSettings);
            if (shared.isPresent()) {
                KvTimeMachineStore s = shared.get();
                if (!options.finishInterrupted || s.recordings().list().stream().allMatch(RecordingInfo::complete)) {
                    return new TimeMachine(stateDir, options, s, List.of(), "it is open for reading only");
                }
                s.close(); // a recording to finish first: that is a write
            }
        }
        KvTimeMachineStore store = options.engineInstance != null
                ? Stores.openOrCreate(stateDir, options.engineInstance, options.engineSettings)
                : Stores.openOrCreate(stateDir, options.engine, options.engineSettings);
        if (!options.finishInterrupted) {
            return new TimeMachine(stateDir, options, store, List.of(), null);
        }
        try {
            return new TimeMachine(stateDir, options, store, Recovery.finishInterrupted(store), null);
        } catch (RuntimeException e) {
            KvTimeMachineStore view = store.withWritesInMemory();
            try {
                List<Integer> done = Recovery.finishInterrupted(view);
                options.listener.warning("could not finish the interrupted recording in " + stateDir + " ("
                        + e.getMessage() + "); finished it in memory for this command");
                return new TimeMachine(stateDir, options, view, done, "it could not be written (" + e.getMessage() + ")");
            } catch (RuntimeException again) {
                again.addSuppressed(e);
                throw Closeables.closeAfter(again, view);
            }
        }
    }

    /** Whether {@code dir} holds a state dir. */
    public static boolean isStateDir(Path dir) {
        return Stores.isStateDir(dir);
    }

    /** The storage engines on the class path, by name. */
    public static List<String> engines() {
        return Stores.engineNames();
    }

    /**
     * A new event source, not started yet: the one called {@code name}, or for {@link #AUTO_CAPTURE} the first
     * that can run here. For a caller that makes it early, to overlap its start-up with opening the state dir.
     *
     * @throws UnknownNameException listing the names that exist, for an unknown name
     * @throws TimeMachineException saying why, when the source cannot run here
     */
    public static EventSource eventSource(String name) {
        return EventSources.create(name, Map.of());
    }

    /** The state dir, as it was given. */
    public Path stateDir() {
        return stateDir;
    }

    /** The name of the storage engine underneath. */
    public String engine() {
        ensureOpen();
        return store.engine();
    }

    /**
     * The contracts underneath (journal, content store, version index of each recording), for tools that read
     * them directly. Writing through them bypasses the recorder.
     */
    public TimeMachineStore store() {
        ensureOpen();
        return store;
    }

    /** The recordings that opening finished because their recorder had died. */
    public List<Integer> recovered() {
        return recovered;
    }

    /** Every recording, oldest first. */
    public List<RecordingInfo> recordings() {
        ensureOpen();
        return store.recordings().list();
    }

    /** The recording with that id, if any. */
    public Optional<RecordingInfo> recording(int id) {
        ensureOpen();
        return store.recordings().get(id);
    }

    /** The newest recording, if any. */
    public Optional<RecordingInfo> latest() {
        List<RecordingInfo> all = recordings();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Records a command: a baseline of its roots, then every change it and its children make under them, until
     * it exits. Returns once the recording is complete on disk.
     *
     * @throws IllegalArgumentException if a root is not a directory
     * @throws TimeMachineException     if the capture cannot start, the command cannot be started, or the state
     *                                  dir could not be written when it was opened
     */
    public RecordResult record(RecordRequest request) throws InterruptedException {
        Places places = places(request);
        try (EventSource source = request.source() != null ? request.source() : eventSource(request.capture())) {
            return Recorder.record(store, source, request, places.roots(), places.stateDir(), options.ticker, options.clock);
        }
    }

    /**
     * Starts recording this JVM and every process it starts from now on, under the request's roots, until
     * {@link ActiveRecording#stop}: for a test that records its own file changes. The request's command is only
     * the recording's description; the state dir is never recorded.
     *
     * @throws IllegalArgumentException if a root is not a directory
     * @throws TimeMachineException     if the capture cannot start
     */
    public ActiveRecording startRecording(RecordRequest request) {
        Places places = places(request);
        EventSource source = request.source() != null ? request.source() : eventSource(request.capture());
        try {
            Recorder.Active active = Recorder.start(store, source, request, places.roots(), places.stateDir(),
                    options.ticker, options.clock);
            source.track((int) ProcessHandle.current().pid());
            request.progress().step("running");
            return new ActiveRecording(active, source, options.ticker);
        } catch (RuntimeException e) {
            throw Closeables.closeAfter(e, source);
        }
    }

    /** Where a recording's roots and state dir really are. */
    private record Places(List<Path> roots, Path stateDir) {
    }

    /** The request's roots and this state dir as real paths; on a failure, the request's source is closed. */
    private Places places(RecordRequest request) {
        ensureOpen();
        List<Path> roots = new ArrayList<>();
        Path real;
        try {
            ensureWritable("record into");
            for (Path root : request.roots().isEmpty() ? List.of(Path.of("")) : request.roots()) {
                if (!Files.isDirectory(root)) {
                    throw new IllegalArgumentException("root " + root + " is not a directory");
                }
                roots.add(root.toRealPath());
            }
            real = stateDir.toRealPath();
        } catch (IOException e) {
            closeSource(request);
            throw new TimeMachineException("cannot resolve the roots: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeSource(request);
            throw e;
        }
        return new Places(roots, real);
    }

    private static void closeSource(RecordRequest request) {
        if (request.source() != null) {
            request.source().close();
        }
    }

    /** Rebuilds the tree of {@code recording} at any instant. */
    public Replayer replayer(RecordingInfo recording) {
        ensureOpen();
        return new KvReplayer(store, recording.id());
    }

    /** Writes the recorded roots as they were at {@code atNs} under {@code out}, which must be absent or empty. */
    public ExportSummary export(RecordingInfo recording, long atNs, Path out) {
        return export(recording, atNs, out, false, ProgressListener.SILENT);
    }

    /**
     * Writes the recorded roots of {@code recording}, as they were at {@code atNs}, under {@code out}: one
     * root's contents straight into it, several roots each under {@code out/<root path>}. Nothing is written
     * outside {@code out}, and no symlink inside it is followed.
     *
     * @param force write into a non-empty {@code out}, replacing entries in the way
     * @throws IllegalArgumentException if {@code out} is not a directory, or not empty and {@code force} is off, or
     *                                  it is inside this state dir or holds it (symlinks resolved)
     * @throws TimeMachineException     if the output cannot be written, or stored data is missing or corrupt
     */
    public ExportSummary export(RecordingInfo recording, long atNs, Path out, boolean force, ProgressListener progress) {
        ensureOpen();
        Path target = resolved(out);
        Path state = resolved(stateDir);
        if (target.startsWith(state) || state.startsWith(target)) {
            throw new IllegalArgumentException(out + (target.startsWith(state) ? " is inside the state dir "
                    : " holds the state dir ") + stateDir + ": exporting there could overwrite the recording");
        }
        return new Exporter(store, recording, progress).export(atNs, out, force);
    }

    /** {@code p} with every symlink of the part that exists resolved, the rest appended as given. */
    private static Path resolved(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing == null ? abs : existing.toRealPath().resolve(existing.relativize(abs));
        } catch (IOException e) {
            return abs;
        }
    }

    /** The files of {@code recording} that are approximate at {@code atNs}, each with why and which process made it so. */
    public List<ExportSummary.Approximate> approximateAt(RecordingInfo recording, long atNs) {
        ensureOpen();
        Map<byte[], Rebuilt> states = new LinkedHashMap<>();
        new KvReplayer(store, recording.id()).forEachRebuilt(atNs, (path, r) -> {
            if (r.approximate() && r.type == FileState.Type.REGULAR) {
                states.put(path, r);
            }
        });
        return Commands.approximations(store, recording.id(), atNs, states);
    }

    /** Why {@code path} is approximate at {@code atNs}, and which process made it so; empty if it is exact or absent. */
    public Optional<ExportSummary.Approximate> approximateAt(RecordingInfo recording, byte[] path, long atNs) {
        ensureOpen();
        Rebuilt r = new KvReplayer(store, recording.id()).rebuild(path, atNs, Long.MAX_VALUE);
        return r == null ? Optional.empty()
                : Commands.approximations(store, recording.id(), atNs, Map.of(path, r)).stream().findFirst();
    }

    /**
     * Every version of {@code path}, oldest first, with the state right after each.
     */
    public List<HistoryEntry> history(RecordingInfo recording, byte[] path) {
        List<List<HistoryEntry>> one = new ArrayList<>(1);
        history(recording, List.of(path), Integer.MAX_VALUE, (p, h, older) -> one.add(h));
        return one.get(0);
    }

    /**
     * The history of each of {@code paths}, as {@link #history(RecordingInfo, byte[])} gives it, for a caller
     * that wants many: the writers of all of them are found in one pass over the timeline, not one per path.
     *
     * @param latest at most this many of each path's versions, its latest ones
     * @param visitor called once per path, in the order given
     */
    public void history(RecordingInfo recording, Collection<byte[]> paths, int latest, HistoryVisitor visitor) {
        ensureOpen();
        KvReplayer replayer = new KvReplayer(store, recording.id());
        record Latest(byte[] path, List<Version> versions, List<Optional<FileState>> states, int older) {
        }
        List<Latest> latestOf = new ArrayList<>(paths.size());
        Set<Long> sequences = new HashSet<>();
        long until = Long.MIN_VALUE;
        for (byte[] path : paths) {
            List<Version> all = store.versions(recording.id()).history(path);
            List<Optional<FileState>> states = replayer.statesAfterEach(path, all);
            int from = Math.max(0, all.size() - latest);
            // copies: a view would keep every version of a path with a million of them
            Latest l = new Latest(path, new ArrayList<>(all.subList(from, all.size())),
                    new ArrayList<>(states.subList(from, states.size())), from);
            latestOf.add(l);
            for (Version v : l.versions()) {
                if (v.sequence() > 0) {
                    sequences.add(v.sequence());
                }
                until = Math.max(until, v.timeNs());
            }
        }
        Map<Long, String> writers = Commands.writers(store, recording.id(), sequences, until);
        for (Latest l : latestOf) {
            List<HistoryEntry> out = new ArrayList<>(l.versions().size());
            for (int j = 0; j < l.versions().size(); j++) {
                Version v = l.versions().get(j);
                Optional<FileState> after = l.states().get(j);
                boolean approximate = v.record().has(VersionRecord.FLAG_APPROXIMATE)
                        || after.map(FileState::approximate).orElse(false);
                out.add(new HistoryEntry(v, after, approximate, writers.get(v.sequence())));
            }
            visitor.visit(l.path(), out, l.older());
        }
    }

    /** Receives the history of one path of many (see {@link #history(RecordingInfo, Collection, int, HistoryVisitor)}). */
    @FunctionalInterface
    public interface HistoryVisitor {
        /**
         * @param latest the path's latest versions, oldest first, with the state after each
         * @param older  how many older versions were left out
         */
        void visit(byte[] path, List<HistoryEntry> latest, int older);
    }

    /**
     * Visits the events of {@code recording} stamped in {@code [fromNs, toNs]}, oldest first, compacted or not,
     * until the visitor returns false.
     */
    public void timeline(RecordingInfo recording, long fromNs, long toNs, Predicate<TimelineEvent> visitor) {
        ensureOpen();
        Timeline.scan(store, recording.id(), fromNs, toNs, visitor);
    }

    /** The paths of {@code recording} that differ between two instants, parents first. */
    public List<TreeChange> diff(RecordingInfo recording, long fromNs, long toNs) {
        ensureOpen();
        return TreeDiff.between(store, recording.id(), fromNs, toNs);
    }

    /**
     * Checks everything stored: decodes every entry, re-hashes every content value, and checks that every
     * version's content, path and rename source exist. Goes on past each problem, so one run finds them all.
     */
    public VerifyReport verify(ProgressListener progress) {
        ensureOpen();
        return StoreVerifier.verify(store, progress);
    }

    /** The recordings that started more than {@code age} ago by the options' clock. */
    public List<Integer> recordingsOlderThan(Duration age) {
        long now = options.clock.millis() * 1_000_000L;
        List<Integer> ids = new ArrayList<>();
        for (RecordingInfo r : recordings()) {
            if (r.startWallNs() < now - age.toNanos()) {
                ids.add(r.id());
            }
        }
        return ids;
    }

    /** Drops {@code recordings} (ids that do not exist are ignored), then every content value left unreferenced. */
    public GcResult gc(Collection<Integer> recordings, ProgressListener progress) {
        ensureOpen();
        ensureWritable("collect garbage in");
        return GarbageCollector.collect(store, recordings, progress);
    }

    /**
     * Copies this whole state dir into a new one at {@code dir} with engine {@code engine}, then checks the copy
     * (entries and a digest per keyspace, every content value re-hashed).
     *
     * @throws IllegalArgumentException if {@code dir} holds anything
     * @throws UnknownNameException     if no engine has that name
     * @throws TimeMachineException     if the copy does not match
     */
    public MigrationReport migrateTo(Path dir, String engine, ProgressListener progress) {
        ensureOpen();
        if (Files.exists(dir) && !Exporter.isAbsentOrEmpty(dir)) {
            throw new IllegalArgumentException(dir + " already holds data; give a new or empty directory");
        }
        try (KvTimeMachineStore target = Stores.openOrCreate(dir, Objects.requireNonNull(engine, "engine"), Map.of())) {
            return StoreMigration.copy(store, target, progress);
        }
    }

    private void ensureWritable(String what) {
        if (readOnlyBecause != null) {
            throw new TimeMachineException("cannot " + what + " " + stateDir + ": " + readOnlyBecause);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            store.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this TimeMachine is closed");
        }
    }
}
