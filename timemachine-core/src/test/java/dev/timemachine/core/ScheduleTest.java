package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pipeline's decisions, driven by a clock the test moves. */
class ScheduleTest {
    private static final long MS = 1_000_000;
    private final Schedule schedule = new Schedule(10, 1_000, MS, Duration.ofMillis(5), 20 * MS, 2_000 * MS,
            50 * MS, 1_000_000, 1_000, 20);
    private final FakeTicker ticker = new FakeTicker(1_000 * MS, 0);

    @Test
    void aBatchIsFullByEventsOrByBytes() {
        assertFalse(schedule.full(9, 999));
        assertTrue(schedule.full(10, 0));
        assertTrue(schedule.full(1, 1_000));
    }

    @Test
    void batchesGoOnOnceTheyAreOldEnoughWithAWatermarkBehindThePollsStart() {
        Schedule.Batching b = schedule.batching(ticker);
        long poll = b.pollStart();
        ticker.advance(MS / 2);
        assertEquals(Schedule.NONE, b.afterPoll(poll, 3, poll - 5, false), "younger than a millisecond");
        poll = b.pollStart();
        ticker.advance(MS / 2);
        assertEquals(poll - 20 * MS, b.afterPoll(poll, 0, Long.MAX_VALUE, false), "a millisecond old: handed on");
        poll = b.pollStart();
        ticker.advance(MS / 2);
        assertEquals(Schedule.NONE, b.afterPoll(poll, 1, poll, false), "the next batch starts afresh");
    }

    @Test
    void theDrainEndsAtTheFirstEmptyPollAfterTheCommandExited() {
        Schedule.Batching b = schedule.batching(ticker);
        assertEquals(schedule.poll(), b.pollTimeout());
        long poll = b.pollStart();
        assertEquals(Schedule.NONE, b.afterPoll(poll, 0, Long.MAX_VALUE, true), "the poll that sees the exit only starts the drain");
        assertEquals(Schedule.DRAIN_POLL, b.pollTimeout(), "the poll that finds nothing more ends the drain: it waits little");
        poll = b.pollStart();
        assertEquals(Schedule.NONE, b.afterPoll(poll, 5, poll - MS, true), "events from before the exit: keep draining");
        poll = b.pollStart();
        assertEquals(Schedule.END, b.afterPoll(poll, 0, Long.MAX_VALUE, true));
    }

    @Test
    void aDescendantThatKeepsWritingIsTakenForTheDrainTimeAtMost() {
        Schedule.Batching b = schedule.batching(ticker);
        long exit = b.pollStart();
        b.afterPoll(exit, 0, Long.MAX_VALUE, true);
        ticker.advance(MS);
        long poll = b.pollStart();
        assertEquals(poll - 20 * MS, b.afterPoll(poll, 3, exit + MS / 2, true), "written after the exit, within the drain time");
        ticker.advance(2_000 * MS);
        poll = b.pollStart();
        assertEquals(Schedule.END, b.afterPoll(poll, 3, poll, true), "only later events, past the drain time");
    }

    @Test
    void compactionTakesSmallStepsFirstThenWaitsForABacklog() {
        Schedule.Backlog backlog = schedule.backlog();
        assertFalse(backlog.due(0, 19));
        assertTrue(backlog.due(0, 20), "the first small step");
        backlog.stepTaken(0, 20);
        assertFalse(backlog.due(0, 79));
        assertTrue(backlog.due(0, 80), "the next once three times as many wait");
        backlog.stepTaken(0, 80);
        assertFalse(backlog.due(0, 80 + 239));
        assertTrue(backlog.due(0, 80 + 240));
        backlog.stepTaken(0, 2_000);
        assertFalse(backlog.due(0, 2_999), "capped by the backlog bound in events");
        assertTrue(backlog.due(0, 3_000));
        assertTrue(backlog.due(1_000_000, 2_000), "or in bytes");
    }
}
