package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Journal;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.Op;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Journal append, ordered scan, resume, trim and reopen. */
public abstract class JournalContract extends EngineTestBase {

    private static List<JournalEntry> scanAll(Journal j, JournalPosition from) {
        List<JournalEntry> out = new ArrayList<>();
        j.scan(from, out::add);
        return out;
    }

    @Test
    void scansInTimeOrderAndKeepsAppendOrderForEqualTimestamps() {
        Journal j = open().journal(1);
        byte[] p = bytes("/w/f");
        assertEquals(3, j.append(List.of(event(30, p, 1), event(10, p, 2), event(20, p, 3))));
        assertEquals(6, j.append(List.of(event(20, p, 4), event(20, p, 5), event(5, p, 6))));
        List<JournalEntry> all = scanAll(j, JournalPosition.START);
        assertEquals(List.of(5L, 10L, 20L, 20L, 20L, 30L), all.stream().map(e -> e.event().timeNs()).toList());
        assertEquals(List.of(6L, 2L, 3L, 4L, 5L, 1L), all.stream().map(JournalEntry::sequence).toList());
        assertEquals(List.of(3L, 4L, 5L), all.subList(2, 5).stream().map(e -> e.event().length()).toList());
    }

    @Test
    void roundTripsEveryFieldAtTheExtremesOfTime() {
        Journal j = open().journal(1);
        List<FsEvent> events = new ArrayList<>();
        long t = 0;
        for (byte[] path : AWKWARD_PATHS) {
            events.add(event(t++, path, 0));
            events.add(new FsEvent(t++, Integer.MAX_VALUE, -1, Op.RENAME, path, AWKWARD_PATHS.get(3), -1,
                    Long.MAX_VALUE, 0777, new byte[0], FsEvent.FLAG_NOREPLACE | FsEvent.FLAG_DIRECTORY));
        }
        events.add(event(Long.MAX_VALUE, bytes("/max"), 65_536));
        events.add(event(0, bytes("/zero"), 1));
        j.append(events);
        List<FsEvent> read = scanAll(j, JournalPosition.START).stream().map(JournalEntry::event).toList();
        List<FsEvent> expected = new ArrayList<>(events);
        expected.sort(java.util.Comparator.comparingLong(FsEvent::timeNs)); // stable: equal times keep order
        assertEquals(expected, read);
    }

    @Test
    void resumesFromAPositionAndStopsWhenTheVisitorSaysSo() {
        Journal j = open().journal(1);
        List<FsEvent> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(event(1_000 + i / 3, bytes("/f"), 8));
        }
        j.append(batch);
        List<JournalEntry> all = scanAll(j, JournalPosition.START);
        JournalEntry mid = all.get(41);
        assertEquals(all.subList(42, 100), scanAll(j, mid.position().next()));
        assertEquals(all.subList(41, 100), scanAll(j, mid.position()));
        List<JournalEntry> firstFive = new ArrayList<>();
        j.scan(JournalPosition.START, e -> {
            firstFive.add(e);
            return firstFive.size() < 5;
        });
        assertEquals(all.subList(0, 5), firstFive);
    }

    @Test
    void trimDropsTheConsumedRangeAndSurvivesReopen() {
        TimeMachineStore store = open();
        Journal j = store.journal(1);
        List<FsEvent> batch = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            batch.add(event(i, bytes("/f" + (i % 7)), 16));
        }
        j.append(batch);
        List<JournalEntry> all = scanAll(j, JournalPosition.START);
        JournalPosition cut = all.get(4_990).position();
        j.trim(cut);
        assertEquals(cut, j.trimmedTo());
        assertEquals(all.subList(4_990, 5_000), scanAll(j, JournalPosition.START));
        j.trim(all.get(10).position()); // trimming backwards changes nothing
        assertEquals(10, scanAll(j, JournalPosition.START).size());
        store.close();

        Journal reopened = open().journal(1);
        assertEquals(cut, reopened.trimmedTo());
        assertEquals(all.subList(4_990, 5_000), scanAll(reopened, JournalPosition.START));
        assertEquals(5_000, reopened.lastSequence());
        reopened.trim(JournalPosition.END);
        assertEquals(List.of(), scanAll(reopened, JournalPosition.START));
        assertEquals(5_001, reopened.append(List.of(event(1, bytes("/late"), 1))));
    }

    @Test
    void readsAndTrimsAJournalOfOneEntryPerKeyAsEarlierVersionsWroteIt() {
        KvTimeMachineStore store = open();
        KeyValueStore kv = store.keyValueStore();
        List<FsEvent> old = new ArrayList<>();
        try (KvBatch batch = kv.batch()) {
            for (int i = 0; i < 50; i++) {
                FsEvent e = event(1_000 - 10L * i, bytes("/old" + i), 8);
                old.add(0, e);
                batch.put(Keyspace.JOURNAL, EventCodec.key(4, e.timeNs(), i + 1),
                        EventCodec.head(e), e.payload());
            }
            batch.put(Keyspace.META, MetaCodec.journalStateKey(4), MetaCodec.journalStateValue(
                    new MetaCodec.JournalState(Long.MIN_VALUE, Long.MIN_VALUE, 50)));
            batch.commit();
        }
        store.close();
        store = open();
        Journal j = store.journal(4);
        assertEquals(old, scanAll(j, JournalPosition.START).stream().map(JournalEntry::event).toList());
        FsEvent late = event(2_000, bytes("/new"), 8);
        assertEquals(51, j.append(List.of(late)));
        List<JournalEntry> all = scanAll(j, JournalPosition.START);
        j.trim(all.get(40).position());
        store.close();
        j = open().journal(4);
        assertEquals(all.subList(40, 51), scanAll(j, JournalPosition.START));
        j.trim(JournalPosition.END);
        assertEquals(List.of(), scanAll(j, JournalPosition.START));
    }

    /** Entries appended in one batch share a value; their order comes from a merge across values. */
    @Test
    void mergesAppendsWhoseTimesOverlapAndTrimsWithinThem() {
        TimeMachineStore store = open();
        Journal j = store.journal(5);
        TreeMap<JournalPosition, FsEvent> model = new TreeMap<>();
        long seq = 0;
        for (int b = 0; b < 30; b++) {
            List<FsEvent> batch = new ArrayList<>();
            for (int i = 0; i < 2_500; i++) {
                // each batch spans the next 20 batches' times too, as a slow CPU's events would
                FsEvent e = event(b * 100L + (i * 7919L) % 2_000, bytes("/f" + i % 5), 4);
                batch.add(e);
                model.put(new JournalPosition(e.timeNs(), ++seq), e);
            }
            j.append(batch);
            if (b % 5 == 4) {
                JournalPosition cut = new JournalPosition(b * 100L - 500, Long.MAX_VALUE);
                j.trim(cut);
                model.headMap(cut).clear();
            }
            assertEquals(new ArrayList<>(model.values()),
                    scanAll(j, JournalPosition.START).stream().map(JournalEntry::event).toList(), "after batch " + b);
        }
        store.close();
        Journal reopened = open().journal(5);
        JournalPosition from = new JournalPosition(2_500, 0);
        assertEquals(new ArrayList<>(model.tailMap(from).values()),
                scanAll(reopened, from).stream().map(JournalEntry::event).toList());
    }

    @Test
    void reopenKeepsEverythingAndSequencesContinue() {
        TimeMachineStore store = open();
        store.journal(1).append(List.of(event(7, bytes("/a"), 3), event(3, bytes("/b"), 4)));
        store.journal(2).append(List.of(event(5, bytes("/c"), 5)));
        store.close();
        TimeMachineStore again = open();
        Journal j = again.journal(1);
        assertEquals(2, j.lastSequence());
        assertEquals(3, j.append(List.of(event(1, bytes("/d"), 1))));
        assertEquals(List.of("/d", "/b", "/a"), scanAll(j, JournalPosition.START).stream()
                .map(e -> e.event().pathString()).toList());
        assertEquals(1, scanAll(again.journal(2), JournalPosition.START).size());
    }

    @Test
    void eventLogKeepsSummariesWithoutPayloadAfterTheJournalIsTrimmed() {
        TimeMachineStore store = open();
        Journal j = store.journal(1);
        j.append(List.of(event(20, bytes("/b"), 100), event(10, bytes("/a"), 50), event(30, bytes("/c"), 0)));
        List<JournalEntry> entries = scanAll(j, JournalPosition.START);
        store.events(1).append(entries);
        j.trim(JournalPosition.END);
        store.close();
        List<JournalEntry> summaries = new ArrayList<>();
        TimeMachineStore reopened = open();
        reopened.events(1).scan(new JournalPosition(20, 0), summaries::add);
        assertEquals(List.of("/b", "/c"), summaries.stream().map(e -> e.event().pathString()).toList());
        assertEquals(List.of(100L, 0L), summaries.stream().map(e -> e.event().length()).toList());
        assertEquals(0, summaries.get(0).event().payload().length);
        assertEquals(entries.get(1).sequence(), summaries.get(0).sequence());
        assertEquals(0, reopened.events(2).scan(JournalPosition.START, e -> true));
    }

    /**
     * The log keeps what it is given in blocks: a scan from any position inside one gives exactly the events from
     * there on, and a chunk logged again after a crash (the same first entry, more after it) is not doubled.
     */
    @Test
    void theEventLogScansFromAnywhereAndTakesAChunkLoggedAgain() {
        TimeMachineStore store = open();
        Journal j = store.journal(4);
        List<FsEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(event(100 + i, bytes("/e/" + i), i));
        }
        j.append(events);
        List<JournalEntry> entries = scanAll(j, JournalPosition.START);
        store.events(4).append(entries.subList(0, 10));
        store.events(4).append(entries.subList(10, 20));
        store.events(4).append(entries.subList(10, 30)); // compacted again: starts where the last did, goes further
        for (int from = 0; from < 30; from += 7) {
            List<Long> got = new ArrayList<>();
            store.events(4).scan(entries.get(from).position(), e -> got.add(e.event().timeNs()));
            assertEquals(entries.subList(from, 30).stream().map(e -> e.event().timeNs()).toList(), got, "from " + from);
        }
        List<JournalEntry> firstFive = new ArrayList<>();
        store.events(4).scan(JournalPosition.START, e -> firstFive.add(e) && firstFive.size() < 5);
        assertEquals(5, firstFive.size(), "a visitor that returns false stops the scan");
    }

    @Test
    void useAfterCloseFailsClearly() {
        TimeMachineStore store = open();
        Journal j = store.journal(1);
        store.close();
        assertThrows(IllegalStateException.class, () -> j.append(List.of(event(1, bytes("/a"), 1))));
        assertThrows(IllegalStateException.class, () -> store.journal(1));
    }

    /** Random appends, trims and scans against an in-memory model of the journal. */
    @RepeatedTest(3)
    void behavesLikeASortedMapUnderRandomOperations(org.junit.jupiter.api.RepetitionInfo info) {
        Random rnd = new Random(42 + info.getCurrentRepetition());
        TimeMachineStore store = open();
        Journal j = store.journal(3);
        TreeMap<JournalPosition, FsEvent> model = new TreeMap<>();
        JournalPosition trimmed = JournalPosition.START;
        long seq = 0;
        for (int step = 0; step < 200; step++) {
            int action = rnd.nextInt(10);
            if (action < 6) {
                List<FsEvent> batch = new ArrayList<>();
                for (int i = rnd.nextInt(20); i >= 0; i--) {
                    FsEvent e = event(rnd.nextInt(500), AWKWARD_PATHS.get(rnd.nextInt(AWKWARD_PATHS.size())),
                            rnd.nextInt(40));
                    batch.add(e);
                    model.put(new JournalPosition(e.timeNs(), ++seq), e);
                }
                assertEquals(seq, j.append(batch));
                model.headMap(trimmed).clear(); // appended behind the trim point: never visible
            } else if (action < 8) {
                JournalPosition cut = new JournalPosition(rnd.nextInt(500), rnd.nextInt((int) seq + 1));
                j.trim(cut);
                if (cut.compareTo(trimmed) > 0) {
                    trimmed = cut;
                    model.headMap(cut).clear();
                }
            } else if (action < 9) {
                store.close();
                store = open();
                j = store.journal(3);
            } else {
                JournalPosition from = new JournalPosition(rnd.nextInt(500), rnd.nextInt((int) seq + 1));
                List<FsEvent> expected = new ArrayList<>(model.tailMap(from).values());
                assertEquals(expected, scanAll(j, from).stream().map(JournalEntry::event).toList());
            }
            Map<JournalPosition, FsEvent> actual = new TreeMap<>();
            j.scan(JournalPosition.START, e -> actual.put(e.position(), e.event()) == null);
            assertEquals(model, actual, "after step " + step);
        }
    }
}
