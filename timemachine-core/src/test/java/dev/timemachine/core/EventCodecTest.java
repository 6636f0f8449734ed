package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.Op;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The event log's blocks: packed ones decode to the summaries they were made of; whole ones are still read. */
class EventCodecTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private final List<JournalEntry> entries = List.of(
            new JournalEntry(7, FsEvent.write(100, 3, b("/r/a"), 4096, new byte[4096])),
            new JournalEntry(8, new FsEvent(101, 3, 4, Op.RENAME, b("/r/a"), b("/r/héllo"), 0, 0, 0, null, 1)),
            new JournalEntry(9, new FsEvent(102, 5, 5, Op.TRUNCATE, b("/r/b"), null, 0, 12, 0, null, 0)));

    /** A block as the event log wrote them before packed ones: each summary whole after its time and sequence. */
    private static byte[] wholeBlock(List<JournalEntry> entries) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(3); // BLOCK
        block.writeBytes(ByteBuffer.allocate(4).putInt(entries.size()).array());
        for (JournalEntry e : entries) {
            byte[] summary = EventCodec.summary(e.event());
            block.writeBytes(ByteBuffer.allocate(20).putLong(e.event().timeNs()).putLong(e.sequence())
                    .putInt(summary.length - 1).array());
            block.write(summary, 1, summary.length - 1);
        }
        return block.toByteArray();
    }

    @Test
    void aBlockOfWholeSummariesIsStillRead() {
        assertSummaries(entries, EventCodec.EVENTS.decodeBlock(EventCodec.key(1, 100, 7), wholeBlock(entries)));
    }

    @Test
    void aPackedBlockDecodesToItsEntriesWithoutPayloads() {
        assertSummaries(entries, EventCodec.EVENTS.decodeBlock(EventCodec.key(1, 100, 7), EventCodec.block(entries)));
    }

    /** Every field varied at random, paths recurring among a few and new ones, offsets following or not. */
    @Test
    void randomEntriesSurviveAPackedBlock() {
        Random rnd = new Random(11);
        for (int round = 0; round < 50; round++) {
            List<JournalEntry> list = new ArrayList<>();
            long t = rnd.nextLong() >>> 2;
            long seq = rnd.nextInt(1000);
            FsEvent prev = null;
            List<byte[]> paths = new ArrayList<>();
            for (int i = 0; i < 1 + rnd.nextInt(300); i++) {
                t += rnd.nextInt(10) == 0 ? -rnd.nextInt(1000) : rnd.nextInt(1_000_000);
                seq += 1 + rnd.nextInt(rnd.nextBoolean() ? 2 : 100_000);
                byte[] path = rnd.nextInt(4) == 0 || paths.isEmpty() ? randomPath(rnd) : paths.get(rnd.nextInt(paths.size()));
                paths.add(path);
                byte[] path2 = rnd.nextInt(3) == 0 ? (rnd.nextBoolean() ? path : randomPath(rnd)) : null;
                boolean same = prev != null && rnd.nextBoolean();
                Op op = same ? prev.op() : Op.values()[rnd.nextInt(Op.values().length)];
                int pid = same ? prev.pid() : rnd.nextInt();
                long length = prev != null && rnd.nextBoolean() ? prev.length() : rnd.nextLong() >> rnd.nextInt(64);
                long offset = prev != null && rnd.nextBoolean() ? prev.offset() + prev.length() : rnd.nextLong() >> rnd.nextInt(64);
                FsEvent e = new FsEvent(t, pid, same ? prev.tid() : rnd.nextInt(), op, path, path2, offset, length,
                        same ? prev.mode() : rnd.nextInt(), null, same ? prev.flags() : rnd.nextInt());
                list.add(new JournalEntry(seq, e));
                prev = e;
            }
            assertSummaries(list, EventCodec.EVENTS.decodeBlock(EventCodec.key(1, 0, 0), EventCodec.block(list)));
        }
    }

    /** A flood of writes to one file: a few bytes per entry, where written whole each took 77. */
    @Test
    void aFloodOfWritesPacksToAFewBytesEach() {
        List<JournalEntry> flood = new ArrayList<>();
        byte[] path = b("/work/tree/build/out.log");
        for (int i = 0; i < 2000; i++) {
            flood.add(new JournalEntry(1000 + i, FsEvent.write(5_000_000_000_000L + i * 3_000L, 42, path, i * 64L, new byte[64])));
        }
        byte[] packed = EventCodec.block(flood);
        assertTrue(packed.length <= 2000 * 6 + 100, packed.length + " bytes");
        assertTrue(wholeBlock(flood).length >= 2000 * 70);
        assertSummaries(flood, EventCodec.EVENTS.decodeBlock(EventCodec.key(1, 0, 0), packed));
    }

    @Test
    void aPackedBlockCutShortOrDamagedIsCorruptData() {
        byte[] packed = EventCodec.block(entries);
        Random rnd = new Random(5);
        for (int cut = 1; cut < packed.length; cut++) {
            byte[] shorter = Arrays.copyOf(packed, cut);
            assertThrows(CorruptDataException.class, () -> EventCodec.EVENTS.decodeBlock(EventCodec.key(1, 0, 0), shorter));
        }
        for (int i = 0; i < 2000; i++) {
            byte[] damaged = packed.clone();
            damaged[1 + rnd.nextInt(damaged.length - 1)] ^= (byte) (1 << rnd.nextInt(8));
            try {
                EventCodec.EVENTS.decodeBlock(EventCodec.key(1, 0, 0), damaged);
            } catch (CorruptDataException expected) {
                // decoding either gives entries or says the value is corrupt
            }
        }
    }

    private static byte[] randomPath(Random rnd) {
        byte[] p = new byte[1 + rnd.nextInt(40)];
        rnd.nextBytes(p);
        return p;
    }

    private static void assertSummaries(List<JournalEntry> want, List<JournalEntry> back) {
        assertEquals(want.size(), back.size());
        for (int i = 0; i < want.size(); i++) {
            FsEvent w = want.get(i).event();
            FsEvent got = back.get(i).event();
            assertEquals(want.get(i).sequence(), back.get(i).sequence());
            assertEquals(w.timeNs(), got.timeNs());
            assertEquals(w.op(), got.op());
            assertEquals(w.pid(), got.pid());
            assertEquals(w.tid(), got.tid());
            assertEquals(w.mode(), got.mode());
            assertArrayEquals(w.path(), got.path());
            assertArrayEquals(w.path2(), got.path2());
            assertEquals(w.offset(), got.offset());
            assertEquals(w.length(), got.length());
            assertEquals(w.flags(), got.flags());
            assertEquals(0, got.payload().length);
        }
    }
}
