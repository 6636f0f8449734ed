package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.Op;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The event log's blocks and the journal's: packed ones decode to what they were made of; the formats earlier
 * versions wrote are still read.
 */
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
            assertSameFields(w, got);
            assertEquals(0, got.payload().length);
        }
    }

    /** Journal events with every kind of payload: inline, none, stored by hash (empty here, its length kept). */
    private static List<FsEvent> journalEvents(Random rnd, int n, ContentHash[] hashes) {
        List<FsEvent> events = new ArrayList<>();
        long t = 1_000_000 + rnd.nextInt(1000);
        byte[] path = randomPath(rnd);
        for (int i = 0; i < n; i++) {
            t += rnd.nextInt(5) == 0 ? -rnd.nextInt(100) : rnd.nextInt(10_000); // times may go back a little
            if (rnd.nextInt(8) == 0) {
                path = randomPath(rnd);
            }
            int kind = rnd.nextInt(3);
            if (kind == 0) {
                byte[] payload = new byte[rnd.nextInt(600)];
                rnd.nextBytes(payload);
                events.add(FsEvent.write(t, 7, path, rnd.nextInt(1 << 20), payload));
            } else if (kind == 1) {
                events.add(new FsEvent(t, 8, 9, Op.RENAME, path, randomPath(rnd), 0, 0, 0644, null, rnd.nextInt()));
            } else {
                byte[] stored = new byte[4096 + rnd.nextInt(4096)];
                rnd.nextBytes(stored);
                hashes[i] = ContentHash.sha256(stored);
                events.add(new FsEvent(t, 7, 7, Op.WRITE, path, null, rnd.nextInt(1 << 20), stored.length, 0, null, 0));
            }
        }
        return events;
    }

    private static JournalPosition max(List<FsEvent> events, long firstSeq) {
        JournalPosition max = null;
        for (int i = 0; i < events.size(); i++) {
            JournalPosition p = new JournalPosition(events.get(i).timeNs(), firstSeq + i);
            max = max == null || p.compareTo(max) > 0 ? p : max;
        }
        return max;
    }

    private static byte[] journalKey(List<FsEvent> events, long firstSeq) {
        return EventCodec.key(1, events.stream().mapToLong(FsEvent::timeNs).min().orElseThrow(), firstSeq);
    }

    @Test
    void aPackedJournalBlockGivesBackEveryFieldPayloadAndHash() {
        Random rnd = new Random(3);
        for (int round = 0; round < 30; round++) {
            int n = 1 + rnd.nextInt(300);
            ContentHash[] hashes = new ContentHash[n];
            List<FsEvent> events = journalEvents(rnd, n, hashes);
            long first = 1 + rnd.nextInt(1_000_000);
            byte[] value = EventCodec.journalBlock(events, hashes, 0, n, first, max(events, first));
            byte[] key = journalKey(events, first);
            assertEquals(max(events, first), EventCodec.JOURNAL.journalMax(key, value));
            assertJournal(events, hashes, first, 0, EventCodec.JOURNAL.decodeJournal(key, value));
            // from a position inside the block: the entries before it are left out
            int skip = rnd.nextInt(n);
            List<EventCodec.Decoded> from = EventCodec.JOURNAL.decodeJournal(key, value,
                    new JournalPosition(events.get(skip).timeNs(), first + skip));
            List<EventCodec.Decoded> want = new ArrayList<>();
            for (EventCodec.Decoded d : EventCodec.JOURNAL.decodeJournal(key, value)) {
                if (d.entry().position().compareTo(new JournalPosition(events.get(skip).timeNs(), first + skip)) >= 0) {
                    want.add(d);
                }
            }
            assertEquals(want, from);
        }
    }

    /** A million small writes took 150 bytes an entry in the blocks of the last version; packed, the payload and ~8. */
    @Test
    void aFloodOfSmallWritesPacksToItsPayloadsAndAFewBytesEach() {
        List<FsEvent> flood = new ArrayList<>();
        byte[] path = b("/work/tree/build/out.log");
        for (int i = 0; i < 1024; i++) {
            flood.add(FsEvent.write(5_000_000_000_000L + i * 3_000L, 42, path, i * 64L, new byte[64]));
        }
        byte[] value = EventCodec.journalBlock(flood, new ContentHash[1024], 0, 1024, 77, max(flood, 77));
        assertTrue(value.length <= 1024 * (64 + 8) + 100, value.length + " bytes");
        assertJournal(flood, new ContentHash[1024], 77, 0, EventCodec.JOURNAL.decodeJournal(journalKey(flood, 77), value));
    }

    /** A journal block as the last version wrote them: each entry whole, after its time, sequence and length. */
    private static byte[] wholeJournalBlock(List<FsEvent> events, long firstSeq) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(5); // JOURNAL_BLOCK
        JournalPosition max = max(events, firstSeq);
        block.writeBytes(ByteBuffer.allocate(20).putLong(max.timeNs()).putLong(max.sequence()).putInt(events.size()).array());
        for (int i = 0; i < events.size(); i++) {
            FsEvent e = events.get(i);
            byte[] head = EventCodec.head(e);
            block.writeBytes(ByteBuffer.allocate(20).putLong(e.timeNs()).putLong(firstSeq + i)
                    .putInt(head.length + e.payload().length).array());
            block.writeBytes(head);
            block.writeBytes(e.payload());
        }
        return block.toByteArray();
    }

    @Test
    void aJournalBlockAsTheLastVersionWroteItIsStillRead() {
        Random rnd = new Random(8);
        int n = 200;
        ContentHash[] none = new ContentHash[n];
        List<FsEvent> events = new ArrayList<>();
        for (FsEvent e : journalEvents(rnd, n, new ContentHash[n])) {
            // that format kept payloads stored by hash too, but head() writes inline ones only
            events.add(e.payload().length == 0 && e.op() == Op.WRITE
                    ? FsEvent.write(e.timeNs(), 7, e.path(), e.offset(), new byte[3]) : e);
        }
        byte[] value = wholeJournalBlock(events, 500);
        byte[] key = journalKey(events, 500);
        assertEquals(max(events, 500), EventCodec.JOURNAL.journalMax(key, value));
        assertJournal(events, none, 500, 0, EventCodec.JOURNAL.decodeJournal(key, value));
    }

    @Test
    void aPackedJournalBlockCutShortOrDamagedIsCorruptData() {
        Random rnd = new Random(4);
        ContentHash[] hashes = new ContentHash[40];
        List<FsEvent> events = journalEvents(rnd, 40, hashes);
        byte[] value = EventCodec.journalBlock(events, hashes, 0, 40, 9, max(events, 9));
        byte[] key = journalKey(events, 9);
        for (int cut = 1; cut < value.length; cut += 7) {
            byte[] shorter = Arrays.copyOf(value, cut);
            assertThrows(CorruptDataException.class, () -> EventCodec.JOURNAL.decodeJournal(key, shorter));
        }
        for (int i = 0; i < 2000; i++) {
            byte[] damaged = value.clone();
            damaged[1 + rnd.nextInt(damaged.length - 1)] ^= (byte) (1 << rnd.nextInt(8));
            try {
                EventCodec.JOURNAL.decodeJournal(key, damaged);
            } catch (CorruptDataException expected) {
                // decoding either gives entries or says the value is corrupt
            }
        }
    }

    private static void assertJournal(List<FsEvent> events, ContentHash[] hashes, long firstSeq, int from,
                                      List<EventCodec.Decoded> back) {
        assertEquals(events.size() - from, back.size());
        for (int i = from; i < events.size(); i++) {
            FsEvent w = events.get(i);
            EventCodec.Decoded d = back.get(i - from);
            FsEvent got = d.entry().event();
            assertEquals(firstSeq + i, d.entry().sequence());
            assertEquals(hashes[i], d.payloadHash());
            assertSameFields(w, got);
            assertArrayEquals(w.payload(), got.payload());
        }
    }

    /** Every field of an event but its payload. */
    private static void assertSameFields(FsEvent w, FsEvent got) {
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
    }
}
