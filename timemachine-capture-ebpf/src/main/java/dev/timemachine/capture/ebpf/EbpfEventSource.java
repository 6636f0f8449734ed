package dev.timemachine.capture.ebpf;

import dev.timemachine.api.EventSink;
import dev.timemachine.api.EventSource;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.NativeException;
import dev.timemachine.api.Op;
import dev.timemachine.api.TimeMachineException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The {@code ebpf} event source: raw syscall tracepoints report every completed file change of the tracked
 * process trees, with the exact bytes written, through one BPF ring buffer read directly from Java.
 *
 * <p>What arrives, per completed (successful) syscall of a tracked process or any of its descendants:
 * WRITE events for write/pwrite64/writev/pwritev/pwritev2 and each pwrite/pwritev iocb of io_submit on regular
 * files (one per iovec and per
 * {@code chunkBytes}; all but the last of one syscall carry {@link FsEvent#FLAG_CHUNK_MORE}); CREATE for
 * an O_CREAT or O_TRUNC open, followed by TRUNCATE to 0 for O_TRUNC; TRUNCATE, FALLOCATE (every mode but a
 * plain KEEP_SIZE, the mode bits in {@link FsEvent#mode()}), RENAME,
 * EXCHANGE, UNLINK, MKDIR, RMDIR, CHMOD, SYMLINK and LINK; COPY for copy_file_range, sendfile and splice from a
 * regular file (the source offset in {@link FsEvent#sourceOffset()}); EXEC for every exec (program, argv, parent;
 * {@link FsEvent#FLAG_APPROXIMATE} for a 32-bit program, whose syscalls are not decoded) and FORK for every new
 * process (its parent);
 * REREAD (with
 * {@link FsEvent#FLAG_APPROXIMATE}) when bytes changed unseen: a shared writable mmap (at mmap; at msync and
 * munmap with {@link FsEvent#FLAG_SYNCED}, and so for each such file once more, offset and length 0, when the
 * mapping process exits or execs),
 * a splice from a pipe, a completed io_uring fallocate, splice or ftruncate (its writes are WRITEs, its name
 * changes the events above, at completion), and a write whose bytes could not be read; LOST when records
 * were dropped.
 * LOST events come in two kinds that must not be added up: those with an empty path report every drop as
 * it is noticed (their lengths sum to {@link #droppedRecords()}); those with a path attribute part of the
 * same drops to one file, with its next write or its close, so that the file can be marked approximate.
 * Paths are absolute and lexically normalised; writes to files already unlinked are not reported. A
 * write through a file description shared with a concurrent writer (as in {@code make -j > log}) whose
 * offset cannot be pinned down carries {@link FsEvent#FLAG_APPROXIMATE}.
 *
 * <p>Known limits: a file or directory renamed by an untracked process keeps its old path in later
 * events; {@code ..} in a user-supplied name is folded lexically; 32-bit syscalls are not seen (a 32-bit
 * program's exec says so).
 *
 * <p>Ordering: events of one CPU arrive in order; across CPUs they may be slightly out of timestamp
 * order. Thread-safety: {@link #poll} from one thread at a time; {@link #track}, {@link #wakeup}, the
 * counters and {@link #close} from any thread ({@code close} waits for a running poll slice to end).
 */
public final class EbpfEventSource implements EventSource {
    /** The name this source is chosen by. */
    public static final String NAME = "ebpf";
    private static final int MAX_RECORDS_PER_DRAIN = 1 << 16;

    private final EbpfConfig config;
    private final NativeLibraries lib = NativeLibraries.get();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final RecordDecoder decoder = new RecordDecoder();
    private BpfObject object;
    private RingBuffer ring;
    private int trackedFd = -1;
    private int dropsFd = -1;
    private boolean probed;
    private String cause;
    private TimeMachineException loadFailure;
    private volatile boolean started;
    private volatile boolean closed;
    private long reportedDrops;

    EbpfEventSource(EbpfConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Loads the BPF object into the kernel (without attaching it) the first time it is asked. */
    @Override
    public boolean isAvailable() {
        return probe() == null;
    }

    @Override
    public String unavailabilityCause() {
        return probe();
    }

    private String probe() {
        lock.writeLock().lock();
        try {
            if (!probed && !closed) {
                probed = true;
                cause = Environment.check(lib);
                if (cause == null) {
                    try {
                        object = BpfObject.load(lib, config.ringBytes());
                    } catch (TimeMachineException e) {
                        loadFailure = e;
                        cause = e.getMessage();
                    }
                }
            }
            return probed ? cause : "the source is closed";
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Attaches the programs and maps the ring buffer. Calling it again does nothing.
     *
     * @throws TimeMachineException why the capture cannot run (a {@link NativeException} with errno and
     *                              verifier log when the kernel refused)
     * @throws IllegalStateException if the source is closed
     */
    @Override
    public void start() {
        String why = probe();
        lock.writeLock().lock();
        try {
            ensureOpen();
            if (started) {
                return;
            }
            if (why != null) {
                throw loadFailure != null ? loadFailure : new TimeMachineException(why);
            }
            configure();
            object.attachAll();
            ring = new RingBuffer(lib, object.mapFd("rb"), config.ringBytes());
            started = true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void configure() {
        trackedFd = object.mapFd("tracked");
        dropsFd = object.mapFd("drops");
        int err = lib.bpf.bpf_map_update_elem(object.mapFd("tm_config"), new byte[4], config.mapValue(), 0);
        if (err < 0) {
            throw new NativeException("cannot configure the capture", -err, "");
        }
    }

    /**
     * Tracks process {@code pid} and everything it starts from now on. Start the process blocked and let it
     * go once this returns, so its first syscall is seen.
     *
     * @throws IllegalStateException if the source is not started or closed
     * @throws NativeException       if the kernel map is full
     */
    @Override
    public void track(int pid) {
        lock.readLock().lock();
        try {
            ensureStarted();
            byte[] key = new byte[4];
            putInt(key, 0, pid);
            int err = lib.bpf.bpf_map_update_elem(trackedFd, key, new byte[] {1}, 0);
            if (err < 0) {
                throw new NativeException("cannot track pid " + pid, -err, "");
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Delivers every event that has arrived, on the calling thread, waiting up to {@code timeout} for the
     * first. Returns earlier once something was delivered.
     *
     * @throws IllegalStateException if the source is not started or closed
     */
    @Override
    public int poll(EventSink sink, Duration timeout) {
        Objects.requireNonNull(sink, "sink");
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        boolean woken = false;
        while (true) {
            lock.readLock().lock();
            try {
                ensureStarted();
                decoder.sink(sink);
                // everything that arrived before the call, even when that is more than one drain
                long arrived = ring.producerPosition();
                int n = 0;
                int got;
                do {
                    got = ring.drain(decoder, MAX_RECORDS_PER_DRAIN);
                    n += got;
                } while (got == MAX_RECORDS_PER_DRAIN && ring.consumerPosition() < arrived);
                n += reportDrops(sink);
                long left = deadline - System.nanoTime();
                if (n > 0 || left <= 0 || woken) {
                    return n;
                }
                // the kernel wakes us only above the wakeup threshold: never sleep longer than a slice
                woken = ring.await((int) Math.min(config.pollSliceMs(), Math.max(1, left / 1_000_000)));
            } finally {
                decoder.sink(null);
                lock.readLock().unlock();
            }
        }
    }

    /** Makes the poll under way return after one more drain, or the next poll if none is waiting. */
    @Override
    public void wakeup() {
        lock.readLock().lock();
        try {
            if (started && !closed) {
                ring.wake();
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    private int reportDrops(EventSink sink) {
        long drops = droppedRecordsLocked();
        if (drops <= reportedDrops) {
            return 0;
        }
        sink.accept(new FsEvent(System.nanoTime(), 0, 0, Op.LOST, new byte[0], null, 0, drops - reportedDrops,
                0, null, FsEvent.FLAG_APPROXIMATE));
        reportedDrops = drops;
        return 1;
    }

    /** Records the kernel dropped because the ring buffer was full, summed over all CPUs. */
    @Override
    public long droppedRecords() {
        lock.readLock().lock();
        try {
            return started && !closed ? droppedRecordsLocked() : reportedDrops;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Records read so far whose body ran past the end of the ring's data area (for tests). */
    long wrappedRecords() {
        lock.readLock().lock();
        try {
            return started && !closed ? ring.wrappedRecords() : 0;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The dropped-record counter of each possible CPU; empty before start and after close. */
    public long[] droppedRecordsPerCpu() {
        lock.readLock().lock();
        try {
            return started && !closed ? perCpuDrops() : new long[0];
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Records dropped per file path, as far as the kernel could attribute them: the sum of the LOST events
     * with a path that {@link #poll} has delivered so far. Safe from any thread.
     */
    public Map<String, Long> lostRecordsByPath() {
        return decoder.lostByPath();
    }

    private long droppedRecordsLocked() {
        long sum = 0;
        for (long d : perCpuDrops()) {
            sum += d;
        }
        return sum;
    }

    private long[] perCpuDrops() {
        int cpus = lib.bpf.libbpf_num_possible_cpus();
        byte[] value = new byte[8 * cpus];
        int err = lib.bpf.bpf_map_lookup_elem(dropsFd, new byte[4], value);
        if (err < 0) {
            throw new NativeException("cannot read the dropped-record counters", -err, "");
        }
        long[] out = new long[cpus];
        for (int i = 0; i < cpus; i++) {
            out[i] = getLong(value, 8 * i);
        }
        return out;
    }

    /** Detaches every program and frees the ring buffer. Idempotent; waits for a running poll slice. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            if (started) {
                reportedDrops = droppedRecordsLocked();
            }
            closed = true;
            if (ring != null) {
                ring.close();
            }
            if (object != null) {
                object.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the ebpf event source is closed");
        }
    }

    private void ensureStarted() {
        ensureOpen();
        if (!started) {
            throw new IllegalStateException("the ebpf event source is not started: call start() first");
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }
}
