package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalTailTest {

    private static FsEvent write(long t, int bytes) {
        return new FsEvent(t, 1, 1, Op.WRITE, new byte[] {'f'}, null, 0, bytes, 0, new byte[bytes], 0);
    }

    private static List<Long> times(JournalTail.Taken taken) {
        return taken.entries().stream().map(h -> h.entry().event().timeNs()).toList();
    }

    @Test
    void givesEntriesInJournalOrderWithTheSequencesTheJournalGave() {
        JournalTail tail = new JournalTail(1 << 20);
        tail.appended(List.of(write(30, 1), write(10, 1), write(20, 1)), 7, new dev.timemachine.api.ContentHash[3]); // sequences 5, 6, 7
        tail.appended(List.of(write(40, 1)), 8, new dev.timemachine.api.ContentHash[1]);
        JournalTail.Taken taken = tail.take(Long.MIN_VALUE, 30);
        assertTrue(taken.complete());
        assertEquals(List.of(10L, 20L, 30L), times(taken));
        assertEquals(List.of(6L, 7L, 5L), taken.entries().stream().map(h -> h.entry().sequence()).toList());
        assertEquals(List.of(40L), times(tail.take(30, 50)));
    }

    /**
     * Once full it leaves new entries to the journal: what it holds is still taken, the rest is marked as the
     * journal's, and it holds entries again once the compactor is past every one it left out.
     */
    @Test
    void whenFullLeavesNewerEntriesToTheJournalUntilTheCompactorCatchesUp() {
        JournalTail tail = new JournalTail(2 * (1000 + 161)); // room for two 1,000-byte writes
        tail.appended(List.of(write(10, 1000), write(20, 1000), write(30, 1000), write(40, 1000)), 4, new dev.timemachine.api.ContentHash[4]);
        JournalTail.Taken first = tail.take(Long.MIN_VALUE, 25);
        assertEquals(List.of(10L, 20L), times(first));
        assertTrue(first.complete(), "nothing up to 25 was left out");
        JournalTail.Taken second = tail.take(25, 35);
        assertEquals(List.of(), times(second));
        assertFalse(second.complete(), "30 was left out: the journal has it");
        tail.appended(List.of(write(50, 1000)), 5, new dev.timemachine.api.ContentHash[1]); // still left out: 40 is not compacted yet
        JournalTail.Taken third = tail.take(35, 45);
        assertFalse(third.complete());
        tail.appended(List.of(write(60, 1000)), 6, new dev.timemachine.api.ContentHash[1]); // 50 not compacted either
        assertFalse(tail.take(45, 55).complete());
        JournalTail.Taken resumed = tail.take(60, 65); // past 60, the last one left out: holds again
        assertTrue(resumed.complete());
        tail.appended(List.of(write(70, 1000)), 7, new dev.timemachine.api.ContentHash[1]);
        JournalTail.Taken last = tail.take(65, 90);
        assertTrue(last.complete());
        assertEquals(List.of(70L), times(last));
    }

    /** The tail keeps the hash and length of a payload the journal stored, not its bytes. */
    @Test
    void keepsNoBytesOfAPayloadTheJournalStored() {
        JournalTail tail = new JournalTail(1 << 20);
        dev.timemachine.api.ContentHash h = dev.timemachine.api.ContentHash.sha256(new byte[4096]);
        tail.appended(List.of(write(10, 4096), write(20, 100)), 2, new dev.timemachine.api.ContentHash[] {h, null});
        List<JournalTail.Held> taken = tail.take(Long.MIN_VALUE, 30).entries();
        assertEquals(0, taken.get(0).entry().event().payload().length);
        assertEquals(4096, taken.get(0).payloadLength());
        assertEquals(4096, taken.get(0).entry().event().length(), "the event still says how much was written");
        assertEquals(h, taken.get(0).payloadHash());
        assertEquals(100, taken.get(1).entry().event().payload().length, "a payload the journal kept inline stays");
    }
}
