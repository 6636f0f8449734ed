package dev.timemachine.core;

import java.time.Duration;

/**
 * When the recorder's pipeline does what (docs/architecture.md, "Stage 1"): how events are batched for the
 * journal and with which watermark, when the drain after the command ends, and when compaction is due. Kept
 * apart from {@link Pipeline}'s threads and read from a {@link Ticker}, so each decision is tested with a clock
 * the test moves. Immutable; the two parts it hands out are owned by one thread each.
 *
 * @param batchEvents     a batch is handed on once it holds this many events...
 * @param batchBytes      ...or this many payload bytes: a batch is copied whole into native memory and the WAL,
 *                        and batches of several MiB (a thousand 4 KiB writes) were each a fresh allocation to
 *                        fault in
 * @param batchNanos      ...or once it is this old
 * @param poll            how long a poll of the source waits for its first event: each poll that delivers hands
 *                        the batch on, so a trickle of events costs a wakeup, a batch and a journal append per
 *                        poll. At 5 ms, the consumer woke onto the command's CPU hundreds of times a second on
 *                        a million small writes (a flood wakes it through the ring's threshold anyway); 20 ms
 *                        took 2 CPU-s off the recorder on a 22 s SQLite and git run (BENCHMARKS.md, seventh
 *                        round); the drain at the command's exit wakes the poll under way and then waits
 *                        {@link #DRAIN_POLL} instead
 * @param slackNanos      how far behind a poll's start the watermark is kept: covers the time between an event's
 *                        timestamp at sys_exit and its record becoming visible in the ring buffer
 * @param drainNanos      how long events that happen after the command exited are still taken, at most (a
 *                        daemon may write forever)
 * @param checkNanos      how often the compactor looks at the backlog when nobody wakes it
 * @param backlogBytes    compaction waits until this much payload is journaled and not compacted (or the
 *                        command exits): every byte it writes while the command runs competes with the
 *                        command's own writes and fsyncs on the same disk, so it works in large steps. (Compacting
 *                        every 50 ms instead, even at the lowest CPU priority, slowed a recorded SQLite run from
 *                        1.20x to 1.35x and a git run from 1.12x to 1.2x, for 0.2-0.3 s less to do after the
 *                        command.)
 * @param backlogEvents   ...or this many events
 * @param firstStepEvents before the backlog bounds, a few small steps: the first after this many events, each
 *                        next one once three times as many as are compacted wait (2k, 8k, 32k, 128k events). They
 *                        get the compaction code compiled while the command runs: compacted only at exit, the 24k
 *                        events of a short SQLite run took 0.32 s (13 us each), mostly before the JIT had compiled
 *                        it; with the steps, 0.20-0.25 s instead of 0.37-0.47 s were left after the command
 *                        (BENCHMARKS.md)
 */
record Schedule(int batchEvents, long batchBytes, long batchNanos, Duration poll, long slackNanos, long drainNanos,
                long checkNanos, long backlogBytes, long backlogEvents, long firstStepEvents) {

    /** What the recorder uses. */
    static final Schedule DEFAULT = new Schedule(1_000, 1L << 20, 1_000_000, Duration.ofMillis(20), 20_000_000,
            2_000_000_000L, 50_000_000, 128L << 20, 250_000, 2_000);

    /**
     * The wait of a poll during the drain at the command's exit: the records of an exited process are all in
     * the ring already, and a descendant still writing delivers within it.
     */
    static final Duration DRAIN_POLL = Duration.ofMillis(1);
    /** The watermark of the last batch: every event is journaled. */
    static final long END = Long.MAX_VALUE;
    /** The watermark of a batch handed on in the middle of a poll: it promises nothing yet. */
    static final long NONE = Long.MIN_VALUE;

    /** Whether a batch of this many events and payload bytes goes to the appender at once. */
    boolean full(int events, long bytes) {
        return events >= batchEvents || bytes >= batchBytes;
    }

    /** The consumer's half, for one consumer thread. */
    Batching batching(Ticker ticker) {
        return new Batching(ticker);
    }

    /** The compactor's half, for one compactor thread. */
    Backlog backlog() {
        return new Backlog();
    }

    /**
     * What the consumer does after a poll: keep batching, hand the batch on with a watermark, or hand on the last
     * batch. Not thread-safe.
     */
    final class Batching {
        private final Ticker ticker;
        private long batchStart;
        private boolean draining;
        private long stoppedAt;

        private Batching(Ticker ticker) {
            this.ticker = ticker;
            this.batchStart = ticker.read();
        }

        /**
         * How long the next poll waits for its first event: {@link #poll}, but while draining only {@link
         * #DRAIN_POLL}, since the poll that finds nothing more ends the drain.
         */
        Duration pollTimeout() {
            return draining ? DRAIN_POLL : poll;
        }

        /** The instant a poll starts; pass it to {@link #afterPoll}. */
        long pollStart() {
            return ticker.read();
        }

        /**
         * Decides after a poll.
         *
         * @param pollStart     what {@link #pollStart} said before the poll
         * @param delivered     events the poll delivered
         * @param oldestNs      the earliest timestamp among them ({@link Long#MAX_VALUE} if none)
         * @param stopRequested whether the command has exited (the drain begins at the first poll that sees it)
         * @return {@link #NONE} to keep batching; else the watermark to hand the batch on with, {@link #END} for
         *         the last batch
         */
        long afterPoll(long pollStart, int delivered, long oldestNs, boolean stopRequested) {
            long now = ticker.read();
            // Drain everything from before the command exited; what a descendant that outlives it writes later
            // is taken for drainNanos at most.
            boolean onlyLater = oldestNs > stoppedAt;
            boolean last = draining && (delivered == 0 || (onlyLater && now - stoppedAt > drainNanos));
            if (stopRequested && !draining) {
                draining = true;
                stoppedAt = now;
            }
            if (last) {
                return END;
            }
            if (now - batchStart >= batchNanos) {
                batchStart = now;
                return pollStart - slackNanos;
            }
            return NONE;
        }
    }

    /** When compaction is due while the command runs. Not thread-safe. */
    final class Backlog {
        private long compactedBytes;
        private long compactedEvents;

        private Backlog() {
        }

        /** Whether this much journaled, of which what was compacted so far is known, is worth a step now. */
        boolean due(long journaledBytes, long journaledEvents) {
            return journaledBytes - compactedBytes >= backlogBytes
                    || journaledEvents - compactedEvents >= Math.min(backlogEvents, Math.max(firstStepEvents, 3 * compactedEvents));
        }

        /** A step began that compacts everything journaled so far. */
        void stepTaken(long journaledBytes, long journaledEvents) {
            compactedBytes = journaledBytes;
            compactedEvents = journaledEvents;
        }
    }
}
