package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.EventSource;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Stage 1 and its hand-off to stage 2 (docs/architecture.md), on three threads, timed by a {@link Schedule}:
 * <ol>
 *   <li>the consumer polls the event source, drops what the filter rejects (excluded bytes never enter the
 *   recording), reads at once the bytes a copy took from outside the roots ({@link OutsideCopy}) and what a
 *   rename brought in from outside them ({@link OutsideFiles} if its bytes were seen written there, else
 *   {@link MovedIn}) and a file written through a shared mapping where
 *   the stores are in it ({@link MappedRereads}), and hands batches to a queue bounded in bytes;</li>
 *   <li>the appender writes each batch to the journal (no fsync) and then publishes the batch's
 *   watermark: every event stamped at or before it is journaled;</li>
 *   <li>the compactor, at the lowest CPU priority, compacts up to the published watermark in a few small
 *   steps early on, then once a backlog has built up, and when the command has exited, taking the events
 *   from memory ({@link JournalTail}) rather than reading them back.</li>
 * </ol>
 * The recorded process is never blocked: if the queue is full the consumer waits, and the only back-pressure
 * reaches the kernel ring buffer, whose losses the source counts. A failure of the appender or compactor
 * (a full disk) stops recording, not the command; it is reported by {@link #failure()}. Without a compactor the
 * pipeline only journals: compaction is left to the next opening of the state dir ({@link Recovery}).
 */
final class Pipeline {
    /**
     * Journaled events held in memory for the compactor, at most (beyond, it reads them back), and payload bytes
     * the hand-off holds at most: what the capture's ring buffer cannot absorb while the journal falls behind a
     * write flood is buffered here (dd writing 2 GiB outruns the journal by about a gigabyte). Each a quarter of
     * the heap, up to 1 GiB.
     */
    private static final long MEMORY_BOUND = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);

    /** Events handed to the appender, with the sum of their payload sizes (counted as they were taken). */
    private record Batch(List<FsEvent> events, long bytes, long watermark) {
        /** What the batch takes of the hand-off's bound. */
        int kib() {
            return events.isEmpty() ? 0 : (int) (bytes >> 10) + 1;
        }
    }

    private final EventSource source;
    private final PathFilter filter;
    private final KvJournal journal;
    private final Compactor compactor;
    private final Schedule schedule;
    private final Ticker ticker;
    private final BlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    /** KiB of payload that may still be queued. */
    private final Semaphore queueKib = new Semaphore((int) (MEMORY_BOUND >> 10));
    private final JournalTail tail = new JournalTail(MEMORY_BOUND);
    private final AtomicLong journaled = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong unseenPrograms = new AtomicLong();
    private final AtomicLong specialFiles = new AtomicLong();
    private final AtomicLong unjournaled = new AtomicLong();
    private final AtomicLong payloadBytes = new AtomicLong();
    private final AtomicLong journaledEvents = new AtomicLong();
    /** The latest event whose compaction reads the disk: compaction keeps going until it is past it. */
    private final AtomicLong promptUpTo = new AtomicLong(Long.MIN_VALUE);
    /** Compaction steps taken; waited on by {@link #awaitSteps}. */
    private long steps;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private final List<Thread> threads = new ArrayList<>();
    private Thread compactorThread;

    /** @param compactor compacts behind the journal; null to leave compaction to the next opening of the state dir */
    Pipeline(EventSource source, PathFilter filter, KvJournal journal, Compactor compactor, Schedule schedule, Ticker ticker) {
        this.source = source;
        this.filter = filter;
        this.journal = journal;
        this.compactor = compactor;
        this.schedule = schedule;
        this.ticker = ticker;
        if (compactor != null) {
            compactor.feedFrom(tail);
        }
    }

    void start() {
        threads.add(new Thread(this::consume, "tm-consumer"));
        threads.add(new Thread(this::append, "tm-appender"));
        if (compactor != null) {
            compactorThread = new Thread(this::compact, "tm-compactor");
            threads.add(compactorThread);
        }
        threads.forEach(Thread::start);
    }

    /** Drains what is left, journals and compacts all of it, and returns once every thread is done. */
    void finish() throws InterruptedException {
        stopping = true;
        source.wakeup(); // the drain starts now, not when the consumer's poll times out
        for (Thread t : threads) {
            t.join();
        }
    }

    /** What stopped the recording early, or null. */
    Throwable failure() {
        return failure;
    }

    /** Programs run whose syscalls the capture does not decode (32-bit ones: an EXEC flagged approximate). */
    long unseenPrograms() {
        return unseenPrograms.get();
    }

    /** FIFOs, sockets and device nodes made in the roots, which a recording does not hold. */
    long specialFiles() {
        return specialFiles.get();
    }

    /** Events stamped before the watermark that arrived after it; journaled at the watermark instead. */
    long lateEvents() {
        return late.get();
    }

    /** Payload bytes journaled. */
    long payloadBytes() {
        return payloadBytes.get();
    }

    /** Events journaled. */
    long journaledEvents() {
        return journaledEvents.get();
    }

    /** Events lost because the journal could not be written. */
    long unjournaledEvents() {
        return unjournaled.get();
    }

    /** Waits until the compactor has taken {@code n} steps (for tests: no polling of a clock). */
    synchronized void awaitSteps(long n) throws InterruptedException {
        while (steps < n) {
            wait();
        }
    }

    private synchronized void stepDone() {
        steps++;
        notifyAll();
    }

    private boolean accepts(FsEvent e) {
        if (e.op() == Op.LOST || e.op() == Op.EXEC || e.op() == Op.FORK) {
            return true; // not about a path in the roots, but about the recording
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
        MappedRereads mapped = new MappedRereads();
        OutsideFiles outside = new OutsideFiles();
        List<FsEvent> batch = new ArrayList<>();
        long[] batchBytes = {0};
        Schedule.Batching batching = schedule.batching(ticker);
        try {
            while (true) {
                long pollStart = batching.pollStart();
                long[] oldest = {Long.MAX_VALUE};
                Consumer<FsEvent> take = e -> {
                    batch.add(e);
                    batchBytes[0] += e.payload().length;
                    if (schedule.full(batch.size(), batchBytes[0])) {
                        // a poll that finds a backlog delivers all of it: hand it on in batches of the
                        // usual size, without a watermark until the poll is done
                        handOff(new Batch(new ArrayList<>(batch), batchBytes[0], Schedule.NONE));
                        batch.clear();
                        batchBytes[0] = 0;
                    }
                };
                Consumer<FsEvent> offer = e -> mapped.offer(e, take);
                int n = source.poll(e -> {
                    oldest[0] = Math.min(oldest[0], e.timeNs());
                    if (e.op() == Op.EXEC && e.has(FsEvent.FLAG_APPROXIMATE)) {
                        unseenPrograms.incrementAndGet();
                    }
                    if (e.op() == Op.COPY && filter.accepts(e.path()) && !filter.accepts(e.path2())) {
                        List<FsEvent> known = outside.copied(e);
                        if (known != null) {
                            known.forEach(offer); // its source written outside while recorded
                        } else {
                            OutsideCopy.resolve(e, offer); // now, before the source can change
                        }
                    } else if (MovedIn.bringsIn(e, filter)) {
                        List<FsEvent> known = outside.bringIn(e);
                        if (known != null) {
                            known.forEach(offer); // written outside while recorded: its bytes are known
                        } else if (!MovedIn.resolve(e, filter, offer)) {
                            offer.accept(e); // compaction imports it from disk, approximate
                        }
                    } else {
                        if (e.path().length > 0 && !filter.accepts(e.path())) {
                            outside.observe(e); // its bytes, if it is brought in later
                        }
                        if (!accepts(e)) {
                            // outside the roots, or excluded
                        } else if (e.op() == Op.SPECIAL) {
                            specialFiles.incrementAndGet(); // nothing to journal: counted, and said
                        } else {
                            offer.accept(e); // a mapped file's re-read reads it now
                        }
                    }
                }, batching.pollTimeout());
                mapped.flush(take);
                long watermark = batching.afterPoll(pollStart, n, oldest[0], stopping);
                if (watermark != Schedule.NONE) {
                    handOff(new Batch(new ArrayList<>(batch), batchBytes[0], watermark));
                    batch.clear();
                    batchBytes[0] = 0;
                }
                if (watermark == Schedule.END) {
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            fail(e);
            queue.offer(new Batch(List.of(), 0, Schedule.END));
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
                        ContentHash[] hashes = new ContentHash[events.size()];
                        long last = journal.append(events, hashes);
                        if (compactor != null) {
                            tail.appended(events, last, hashes);
                        }
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
                if (compactorThread != null && (prompt || b.watermark() == Schedule.END)) {
                    LockSupport.unpark(compactorThread);
                }
                if (b.watermark() == Schedule.END) {
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
        ThreadPriority.lowerCurrentThread();
        Schedule.Backlog backlog = schedule.backlog();
        long done = Long.MIN_VALUE;
        try {
            while (true) {
                long w = journaled.get();
                long bytes = payloadBytes.get();
                long events = journaledEvents.get();
                boolean due = w == Schedule.END || promptUpTo.get() > done || backlog.due(bytes, events);
                if (due && w > done && failure == null) {
                    backlog.stepTaken(bytes, events);
                    try {
                        compactor.compactUpTo(w);
                    } catch (RuntimeException e) {
                        fail(e);
                    }
                    done = w;
                    stepDone();
                }
                if (done == Schedule.END || (failure != null && w == Schedule.END)) {
                    return;
                }
                // woken early by the appender for the last batch and for events that read the disk
                LockSupport.parkNanos(schedule.checkNanos());
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
