package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.Op;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event log's blocks: one pass over the entries, the same bytes as the summaries they hold. */
class EventCodecTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private final List<JournalEntry> entries = List.of(
            new JournalEntry(7, FsEvent.write(100, 3, b("/r/a"), 4096, new byte[4096])),
            new JournalEntry(8, new FsEvent(101, 3, 4, Op.RENAME, b("/r/a"), b("/r/héllo"), 0, 0, 0, null, 1)),
            new JournalEntry(9, new FsEvent(102, 5, 5, Op.TRUNCATE, b("/r/b"), null, 0, 12, 0, null, 0)));

    @Test
    void aBlockHoldsEachSummaryAfterItsTimeAndSequence() {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(3); // BLOCK
        expected.writeBytes(ByteBuffer.allocate(4).putInt(entries.size()).array());
        for (JournalEntry e : entries) {
            byte[] summary = EventCodec.summary(e.event());
            expected.writeBytes(ByteBuffer.allocate(20).putLong(e.event().timeNs()).putLong(e.sequence())
                    .putInt(summary.length - 1).array());
            expected.write(summary, 1, summary.length - 1);
        }
        assertArrayEquals(expected.toByteArray(), EventCodec.block(entries));
    }

    @Test
    void aBlockDecodesToItsEntriesWithoutPayloads() {
        List<JournalEntry> back = EventCodec.EVENTS.decodeBlock(EventCodec.key(1, 100, 7), EventCodec.block(entries));
        assertEquals(entries.size(), back.size());
        for (int i = 0; i < entries.size(); i++) {
            FsEvent want = entries.get(i).event();
            FsEvent got = back.get(i).event();
            assertEquals(entries.get(i).sequence(), back.get(i).sequence());
            assertEquals(want.timeNs(), got.timeNs());
            assertEquals(want.op(), got.op());
            assertEquals(want.pid(), got.pid());
            assertEquals(want.tid(), got.tid());
            assertArrayEquals(want.path(), got.path());
            assertArrayEquals(want.path2(), got.path2());
            assertEquals(want.offset(), got.offset());
            assertEquals(want.length(), got.length());
            assertEquals(want.flags(), got.flags());
            assertEquals(0, got.payload().length);
        }
    }
}
