package dev.timemachine.core;

import static dev.timemachine.core.RecordingBuilder.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.Keyspace;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The payload log: payload bytes written once, read back, verified, and reclaimed by gc. */
class SegmentsTest extends EngineTestBase {
    @Override
    protected dev.timemachine.api.spi.StorageEngine engine() {
        return new MemoryEngine();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static long segmentBytes(KvTimeMachineStore store) {
        Segments s = store.segments();
        return s.ids().stream().mapToLong(s::size).sum();
    }

    private static int recording(KvTimeMachineStore store) {
        return store.recordings().create(new RecordingInfo(0, 1, 0, 0, List.of("x"), List.of("/w"), "test", -1,
                false, Map.of())).id();
    }

    @Test
    void aPayloadIsWrittenOnceHoweverOftenItRecursAndSmallOnesStayInTheJournal() {
        KvTimeMachineStore store = open();
        int id = recording(store);
        byte[] page = random(4096, 1);
        byte[] other = random(4096, 2);
        byte[] small = random(100, 3);
        List<FsEvent> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            events.add(FsEvent.write(10 + i, 1, b("/w/db"), 4096L * (i % 5), i % 10 == 9 ? other : page));
        }
        events.add(FsEvent.write(100, 1, b("/w/log"), 0, small));
        store.journal(id).append(events.subList(0, 20));
        store.journal(id).append(events.subList(20, events.size()));
        assertEquals(2 * 4096, segmentBytes(store), "two distinct pages, each stored once; the small payload not at all");
        List<JournalEntry> back = new ArrayList<>();
        store.journal(id).scan(JournalPosition.START, back::add);
        assertEquals(events, back.stream().map(JournalEntry::event).toList(), "the journal gives the payloads back");
        assertArrayEquals(page, store.content().get(ContentHash.sha256(page)));
    }

    @Test
    void verifyFindsASegmentMissingOrCutShort() throws Exception {
        KvTimeMachineStore store = open();
        int id = recording(store);
        byte[] a = random(10_000, 4);
        byte[] c = random(10_000, 5);
        store.journal(id).append(List.of(FsEvent.write(10, 1, b("/w/a"), 0, a), FsEvent.write(11, 1, b("/w/c"), 0, c)));
        assertTrue(StoreVerifier.verify(store, ProgressListener.SILENT).ok());
        int segment = store.segments().ids().get(0);
        try (FileChannel ch = FileChannel.open(store.segments().file(segment), StandardOpenOption.WRITE)) {
            ch.truncate(15_000);
        }
        List<VerifyReport.Problem> problems = StoreVerifier.verify(store, ProgressListener.SILENT).problems();
        assertEquals(List.of("c:" + ContentHash.sha256(c)), problems.stream().map(VerifyReport.Problem::key).toList());
        assertEquals(VerifyReport.Kind.MISSING_CONTENT, problems.get(0).kind());
        assertTrue(problems.get(0).detail().contains("ends at 15000"), problems.toString());
        Files.delete(store.segments().file(segment));
        store = reopen(store); // a fresh process: no reader of the deleted file open
        problems = StoreVerifier.verify(store, ProgressListener.SILENT).problems();
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.stream().allMatch(p -> p.kind() == VerifyReport.Kind.MISSING_CONTENT && p.detail().contains("missing")));
    }

    @Test
    void gcDeletesDeadSegmentsAndRewritesMostlyDeadOnes() {
        KvTimeMachineStore store = open();
        byte[] kept = random(100_000, 6);
        List<byte[]> dropped = new ArrayList<>();
        // recording 1: one segment, everything in it dropped later
        int first = recording(store);
        for (int i = 0; i < 5; i++) {
            dropped.add(random(100_000, 10 + i));
            store.journal(first).append(List.of(FsEvent.write(10 + i, 1, b("/w/gone"), 0, dropped.get(i))));
        }
        versions(store, first, "/w/gone", dropped);
        store.segments().close(); // the next appends go to a new segment, as in a new recorder process
        KvTimeMachineStore reopened = reopen(store);
        int second = recording(reopened);
        List<byte[]> mostlyDead = new ArrayList<>(List.of(kept));
        for (int i = 0; i < 4; i++) {
            mostlyDead.add(random(100_000, 20 + i));
        }
        for (int i = 0; i < mostlyDead.size(); i++) {
            reopened.journal(second).append(List.of(FsEvent.write(20 + i, 1, b("/w/kept"), 0, mostlyDead.get(i))));
        }
        versions(reopened, second, "/w/kept", List.of(kept));
        List<Integer> before = reopened.segments().ids();
        assertEquals(2, before.size(), before.toString());
        reopened.journal(first).trim(JournalPosition.END);
        reopened.journal(second).trim(JournalPosition.END);
        store = reopen(reopened);

        GcResult r = GarbageCollector.collect(store, List.of(first), ProgressListener.SILENT);
        assertEquals(List.of(first), r.droppedRecordings());
        List<Integer> after = store.segments().ids();
        assertFalse(after.contains(before.get(0)), "every byte of the first segment was dead: deleted");
        assertFalse(after.contains(before.get(1)), "a fifth of the second was live: rewritten");
        assertEquals(kept.length, segmentBytes(store), "only the live extent is left");
        assertArrayEquals(kept, store.content().get(ContentHash.sha256(kept)));
        assertTrue(r.bytesFreed() >= 9 * 100_000L, "freed " + r.bytesFreed());
        assertTrue(StoreVerifier.verify(store, ProgressListener.SILENT).ok());
        for (byte[] d : dropped) {
            assertFalse(store.content().contains(ContentHash.sha256(d)));
        }
    }

    private static void versions(KvTimeMachineStore store, int id, String path, List<byte[]> contents) {
        List<Version> vs = new ArrayList<>();
        long t = 1_000;
        for (byte[] c : contents) {
            vs.add(new Version(b(path), t++, t, new VersionRecord(VersionRecord.Kind.KEYFRAME, 0, c.length,
                    ContentHash.sha256(c), 0644, null, 0)));
        }
        store.versions(id).putAll(vs);
    }

    private KvTimeMachineStore reopen(KvTimeMachineStore store) {
        store.close();
        return open();
    }

    @Test
    void aStateDirOfTheFormatBeforeSegmentsIsReadAndUpgraded() throws Exception {
        KvTimeMachineStore store = open();
        byte[] key = MetaCodec.settingKey(MetaCodec.FORMAT);
        try (var batch = store.keyValueStore().batch()) {
            batch.put(Keyspace.META, key, MetaCodec.settingValue(1));
            batch.commit();
        }
        store.close();
        java.nio.file.Path marker = tmp.resolve("state").resolve(Stores.MARKER);
        Files.writeString(marker, Files.readString(marker).replace("format=2", "format=1"));
        store = open();
        assertEquals(2, MetaCodec.setting(key, store.keyValueStore().get(Keyspace.META, key)));
        assertTrue(Files.readString(marker).contains("format=2"), Files.readString(marker));
        assertTrue(Arrays.asList(Files.readString(marker).split("\n")).contains("format=2"));
    }
}
