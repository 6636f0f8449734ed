package dev.timemachine.core.record;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Journal;
import dev.timemachine.api.Op;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Stage 1 and its hand-off to stage 2 (DESIGN §5–§6), on three threads:
 * <ol>
 *   <li>the consumer polls the event source, drops what the filter rejects (excluded bytes never enter the
 *   recording) and hands batches of about 1,000 events, 1 MiB of payload or 1 ms to a queue bounded in
 *   bytes;</li>
 *   <li>the appender writes each batch to the journal (no fsync) and then publishes the batch's
 *   watermark: every event stamped at or before it is journaled;</li>
 *   <li>the compactor, at the lowest CPU priority, compacts up to the published watermark in a few small
 *   steps early on, then once a backlog has built up, and when the command has exited, taking the events
 *   from memory ({@link JournalTail}) rather than reading them back.</li>
 * </ol>
 * The recorded process is never blocked: if the queue is full the consumer waits, and the only back-pressure
 * reaches the kernel ring buffer, whose losses the source counts. A failure of the appender or compactor
 * (a full disk) stops recording, not the command; it is reported by {@link #failure()}.
 */
final class Pipeline {
    private static final int BATCH_EVENTS = 1_000;
    /**
     * Payload bytes per batch, at most about: a batch is copied whole into native memory and the WAL, and
     * batches of several MiB (a thousand 4 KiB writes) were each a fresh allocation to fault in.
     */
    private static final long BATCH_BYTES = 1L << 20;
    private static final long BATCH_NANOS = 1_000_000;
    private static final Duration POLL = Duration.ofMillis(5);
    /**
     * How far behind a poll's start the watermark is kept: covers the time between an event's timestamp at
     * sys_exit and its record becoming visible in the ring buffer.
     */
    private static final long SLACK_NANOS = 20_000_000;
    /** How long events that happen after the command exited are still taken, at most. */
    private static final long DRAIN_NANOS = 2_000_000_000L;
    /** How often the compactor looks at the backlog when nobody wakes it. */
    private static final long CHECK_NANOS = 50_000_000;
    /**
     * Compaction waits until this much is journaled and not compacted (or the command exits): every byte it
     * writes while the command runs competes with the command's own writes and fsyncs on the same disk, so
     * it works in large steps. (Compacting every 50 ms instead, even at the lowest CPU priority, slowed a
     * recorded SQLite run from 1.20x to 1.35x and a git run from 1.12x to 1.2x, for 0.2-0.3 s less to do after
     * the command.)
     */
    private static final long BACKLOG_BYTES = 128L << 20;
    private static final long BACKLOG_EVENTS = 250_000;
    /**
     * Before the backlog bounds, a few small steps: the first after this many events, each next one once three
     * times as many as are compacted wait (2k, 8k, 32k, 128k events). They get the compaction code compiled
     * while the command runs: compacted only at exit, the 24k events of a short SQLite run took 0.32 s (13 us
     * each), mostly before the JIT had compiled that code. Measured, alternated with compacting only on the
     * backlog, time left after the command: SQLite 0.20-0.25 s instead of 0.37-0.47 s (the command itself
     * 0.08 s slower), git 0.16-0.19 s instead of 0.24-0.26 s, the Maven build 0.08-0.09 s instead of
     * 0.14-0.17 s, tar 1.99-2.14 s instead of 2.25-2.42 s.
     */
    private static final long FIRST_STEP_EVENTS = 2_000;
    /**
     * Journaled events held in memory for the compactor, at most (beyond, it reads them back): a quarter of
     * the heap, like the hand-off, up to 1 GiB.
     */
    private static final long TAIL_BYTES = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);

    /**
     * Payload bytes the hand-off holds at most: what the capture's ring buffer cannot absorb while the journal
     * falls behind a write flood is buffered here (dd writing 2 GiB outruns the journal by about a gigabyte),
     * up to a quarter of the heap.
     */
    private static final long QUEUE_BYTES = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);

    /** Events handed to the appender, with the sum of their payload sizes (counted as they were taken). */
    private record Batch(List<FsEvent> events, long bytes, long watermark) {
        /** What the batch takes of the hand-off's bound. */
        int kib() {
            return events.isEmpty() ? 0 : (int) (bytes >> 10) + 1;
        }
    }

    private final EventSource source;
    private final PathFilter filter;
    private final Journal journal;
    private final Compactor compactor;
    private final BlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    /** KiB of payload that may still be queued. */
    private final Semaphore queueKib = new Semaphore((int) (QUEUE_BYTES >> 10));
    private final JournalTail tail = new JournalTail(TAIL_BYTES);
    private final AtomicLong journaled = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong unjournaled = new AtomicLong();
    private final AtomicLong payloadBytes = new AtomicLong();
    private final AtomicLong journaledEvents = new AtomicLong();
    /** The latest event whose compaction reads the disk: compaction keeps going until it is past it. */
    private final AtomicLong promptUpTo = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean stopping;
    private volatile Throwable failure;
    private final List<Thread> threads = new ArrayList<>();
    private Thread compactorThread;

    Pipeline(EventSource source, PathFilter filter, Journal journal, Compactor compactor) {
        this.source = source;
        this.filter = filter;
        this.journal = journal;
        this.compactor = compactor;
        compactor.feedFrom(tail);
    }

    void start() {
        threads.add(new Thread(this::consume, "tm-consumer"));
        threads.add(new Thread(this::append, "tm-appender"));
        compactorThread = new Thread(this::compact, "tm-compactor");
        threads.add(compactorThread);
        threads.forEach(Thread::start);
    }

    /** Drains what is left, journals and compacts all of it, and returns once every thread is done. */
    void finish() throws InterruptedException {
        stopping = true;
        for (Thread t : threads) {
            t.join();
        }
    }

    /** What stopped the recording early, or null. */
    Throwable failure() {
        return failure;
    }

    /** Events stamped before the watermark that arrived after it; journaled at the watermark instead. */
    long lateEvents() {
        return late.get();
    }

    /** Payload bytes journaled. */
    long payloadBytes() {
        return payloadBytes.get();
    }

    /** Events lost because the journal could not be written. */
    long unjournaledEvents() {
        return unjournaled.get();
    }

    private boolean accepts(FsEvent e) {
        if (e.op() == Op.LOST) {
            return true;
        }
        return filter.accepts(e.path())
                || (e.path2() != null && (e.op() == Op.RENAME || e.op() == Op.EXCHANGE || e.op() == Op.LINK)
                && filter.accepts(e.path2()));
    }

    /**
     * Events whose compaction reads the file from disk (the capture could not see the bytes, or the path came
     * from outside the roots): compacted promptly, so what is read is as close as possible to that instant.
     */
    private boolean readsDisk(FsEvent e) {
        return e.op() == Op.REREAD || e.op() == Op.LOST
                || ((e.op() == Op.RENAME || e.op() == Op.EXCHANGE || e.op() == Op.LINK) && !filter.accepts(e.path()));
    }

    private void consume() {
        List<FsEvent> batch = new ArrayList<>();
        long[] batchBytes = {0};
        long batchStart = System.nanoTime();
        try {
            boolean draining = false;
            long stoppedAt = Long.MAX_VALUE;
            while (true) {
                long pollStart = System.nanoTime();
                long[] oldest = {Long.MAX_VALUE};
                int n = source.poll(e -> {
                    oldest[0] = Math.min(oldest[0], e.timeNs());
                    if (accepts(e)) {
                        batch.add(e);
                        batchBytes[0] += e.payload().length;
                        if (batch.size() >= BATCH_EVENTS || batchBytes[0] >= BATCH_BYTES) {
                            // a poll that finds a backlog delivers all of it: hand it on in batches of the
                            // usual size, without a watermark until the poll is done
                            handOff(new Batch(new ArrayList<>(batch), batchBytes[0], Long.MIN_VALUE));
                            batch.clear();
                            batchBytes[0] = 0;
                        }
                    }
                }, POLL);
                long now = System.nanoTime();
                // Drain everything from before the command exited; a descendant that outlives it (a daemon)
                // may write forever, so what it writes later is taken for DRAIN_NANOS at most.
                boolean onlyLater = oldest[0] > stoppedAt;
                boolean last = draining && (n == 0 || (onlyLater && now - stoppedAt > DRAIN_NANOS));
                if (stopping && !draining) {
                    draining = true;
                    stoppedAt = now;
                }
                if (last || now - batchStart >= BATCH_NANOS) {
                    handOff(new Batch(new ArrayList<>(batch), batchBytes[0],
                            last ? Long.MAX_VALUE : pollStart - SLACK_NANOS));
                    batch.clear();
                    batchBytes[0] = 0;
                    batchStart = now;
                }
                if (last) {
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            fail(e);
            queue.offer(new Batch(List.of(), 0, Long.MAX_VALUE));
        }
    }

    private void handOff(Batch b) {
        try {
            queueKib.acquire(b.kib());
            queue.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing events to the journal", e);
        }
    }

    private void append() {
        try {
            while (true) {
                Batch b = queue.take();
                queueKib.release(b.kib());
                if (failure == null && !b.events().isEmpty()) {
                    try {
                        List<FsEvent> events = clampLate(b.events());
                        tail.appended(events, journal.append(events));
                    } catch (RuntimeException e) {
                        fail(e);
                    }
                }
                boolean prompt = false;
                if (failure != null) {
                    unjournaled.addAndGet(b.events().size());
                } else {
                    payloadBytes.addAndGet(b.bytes());
                    for (FsEvent e : b.events()) {
                        if (readsDisk(e)) {
                            promptUpTo.accumulateAndGet(e.timeNs(), Math::max);
                            prompt = true;
                        }
                    }
                    journaledEvents.addAndGet(b.events().size());
                }
                journaled.accumulateAndGet(b.watermark(), Math::max);
                if (prompt || b.watermark() == Long.MAX_VALUE) {
                    LockSupport.unpark(compactorThread);
                }
                if (b.watermark() == Long.MAX_VALUE) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An event stamped at or before the published watermark may already be compacted past: move it just after. */
    private List<FsEvent> clampLate(List<FsEvent> events) {
        long w = journaled.get();
        if (w == Long.MIN_VALUE) {
            return events;
        }
        List<FsEvent> out = events;
        for (int i = 0; i < events.size(); i++) {
            FsEvent e = events.get(i);
            if (e.timeNs() <= w) {
                if (out == events) {
                    out = new ArrayList<>(events);
                }
                late.incrementAndGet();
                out.set(i, new FsEvent(w + 1, e.pid(), e.tid(), e.op(), e.path(), e.path2(), e.offset(), e.length(),
                        e.mode(), e.payload(), e.flags()));
            }
        }
        return out;
    }

    private void compact() {
        // when it runs while the command does (a backlog), it yields to the command and the consumer
        ThreadPriority.lowerCurrentThread(ThreadPriority.NICE_LOWEST);
        long done = Long.MIN_VALUE;
        long compactedBytes = 0;
        long compactedEvents = 0;
        try {
            while (true) {
                long w = journaled.get();
                long bytes = payloadBytes.get();
                long events = journaledEvents.get();
                boolean due = w == Long.MAX_VALUE || promptUpTo.get() > done || bytes - compactedBytes >= BACKLOG_BYTES
                        || events - compactedEvents >= Math.min(BACKLOG_EVENTS,
                        Math.max(FIRST_STEP_EVENTS, 3 * compactedEvents));
                if (due && w > done && failure == null) {
                    compactedBytes = bytes;
                    compactedEvents = events;
                    try {
                        compactor.compactUpTo(w);
                    } catch (RuntimeException e) {
                        fail(e);
                    }
                    done = w;
                }
                if (done == Long.MAX_VALUE || (failure != null && w == Long.MAX_VALUE)) {
                    return;
                }
                // woken early by the appender for the last batch and for events that read the disk
                LockSupport.parkNanos(CHECK_NANOS);
            }
        } catch (RuntimeException | Error e) {
            fail(e);
        }
    }

    private void fail(Throwable e) {
        if (failure == null) {
            failure = e;
        }
    }
}
