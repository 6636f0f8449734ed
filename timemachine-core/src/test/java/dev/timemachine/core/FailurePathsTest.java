package dev.timemachine.core;

import static dev.timemachine.core.RecordingBuilder.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.Op;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens when the store fails under the recorder, the compactor and an export: each failure surfaces as
 * a {@link TimeMachineException} with its cause, and nothing already journaled is lost. The in-memory engine
 * behind {@link FaultyEngine}, so no root and no full disk are needed.
 */
class FailurePathsTest {
    private static final String ROOT = "/r";
    private static final byte[] FILE = b(ROOT + "/f");
    private static final long T0 = 1_000_000_000L;
    /** Compaction only once the command has exited: every commit while the events arrive is a journal append. */
    private static final Schedule AT_EXIT_ONLY = new Schedule(1_000, 1L << 20, 1_000_000, Duration.ofMillis(5),
            20_000_000, 2_000_000_000L, 50_000_000, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);

    @TempDir
    Path tmp;

    private final FaultyEngine engine = new FaultyEngine(new MemoryEngine());

    private Path state() {
        return tmp.resolve("state");
    }

    /** An incomplete recording of {@code /r} holding only its root directory, as a recorder starts one. */
    private static int recording(KvTimeMachineStore store) {
        int id = store.recordings().create(new RecordingInfo(0, T0, 0, 0, List.of("x"), List.of(ROOT), "test", -1,
                false, Map.of())).id();
        store.versions(id).putAll(List.of(new Version(b(ROOT), T0, 0,
                new VersionRecord(VersionRecord.Kind.DIRECTORY, 0, 0, null, 0755, null, 0))));
        return id;
    }

    private static Compactor compactor(KvTimeMachineStore store, int id) {
        TreeState tree = new TreeState();
        tree.put(b(ROOT), new TreeState.Dir(0755));
        return new Compactor(store, id, tree, new PathFilter(List.of(Path.of(ROOT)), List.of(), null), new KvReplayer(store, id));
    }

    /** A create of FILE then {@code n} writes of 64 bytes; {@code written} gets their bytes. */
    private static List<FsEvent> writes(int n, ByteArrayOutputStream written) {
        List<FsEvent> events = new ArrayList<>();
        events.add(new FsEvent(T0 + 1, 1, 1, Op.CREATE, FILE, null, 0, 0, 0644, null, 0));
        for (int i = 0; i < n; i++) {
            byte[] payload = b(String.format("write %08d of the failure test, sixty-four bytes long......%n", i));
            events.add(new FsEvent(T0 + 2 + i, 1, 1, Op.WRITE, FILE, null, 64L * i, 64, 0, payload, 0));
            written.writeBytes(payload);
        }
        return events;
    }

    private static byte[] contentAfterRecovery(Path state, int id) {
        try (TimeMachine tm = TimeMachine.open(state, TimeMachine.Options.defaults().withEngine(new MemoryEngine()))) {
            assertEquals(List.of(id), tm.recovered());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                tm.replayer(tm.recording(id).orElseThrow()).contentAt(FILE, Long.MAX_VALUE, out);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            assertTrue(tm.verify(ProgressListener.SILENT).ok());
            return out.toByteArray();
        }
    }

    @Test
    void aFullDiskStopsJournalingNotTheCommandAndKeepsWhatWasJournaled() throws Exception {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        int id;
        Pipeline pipeline;
        try (KvTimeMachineStore store = Stores.openOrCreate(state(), engine, Map.of())) {
            id = recording(store);
            PathFilter filter = new PathFilter(List.of(Path.of(ROOT)), List.of(), null);
            ScriptedSource source = new ScriptedSource();
            source.queue.addAll(writes(3_000, written));
            // one poll delivers them all: appends of 1,000, 1,000, 1,000 and 1 events; the second fails
            engine.diskFullFrom(engine.commits() + 2);
            pipeline = new Pipeline(source, filter, store.kvJournal(id), compactor(store, id), AT_EXIT_ONLY,
                    new FakeTicker(10 * T0, 1_000_000));
            pipeline.start();
            pipeline.finish();
        }
        TimeMachineException failure = assertInstanceOf(TimeMachineException.class, pipeline.failure());
        assertInstanceOf(IOException.class, failure.getCause());
        assertEquals(2_001, pipeline.unjournaledEvents());
        assertArrayEquals(Arrays.copyOf(written.toByteArray(), 999 * 64), contentAfterRecovery(state(), id),
                "the first batch (the create and 999 writes) survives, compacted when the state dir is next opened");
    }

    @Test
    void aFailedCompactionLeavesTheJournalToFinishFrom() {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        int id;
        try (KvTimeMachineStore store = Stores.openOrCreate(state(), engine, Map.of())) {
            id = recording(store);
            store.journal(id).append(writes(3_000, written));
            engine.diskFullFrom(engine.commits() + 1);
            TimeMachineException e = assertThrows(TimeMachineException.class,
                    () -> compactor(store, id).compactUpTo(Long.MAX_VALUE));
            assertInstanceOf(IOException.class, e.getCause());
            assertEquals(JournalPosition.START, store.journal(id).trimmedTo(), "nothing trimmed");
        }
        assertArrayEquals(written.toByteArray(), contentAfterRecovery(state(), id));
    }

    @Test
    void anExportThatCannotReadFailsWithTheCause() throws Exception {
        RecordingInfo info;
        try (TimeMachine tm = TimeMachine.create(state(), TimeMachine.Options.defaults().withEngine(engine))) {
            RecordingBuilder rec = RecordingBuilder.create(tm.store(), 0, 0, 100, "/w").dir("/w", 1, 0755)
                    .file("/w/a", 2, 0644, "some bytes").flush();
            info = tm.recording(rec.id()).orElseThrow();
            engine.failReads();
            TimeMachineException e = assertThrows(TimeMachineException.class,
                    () -> tm.export(info, 50, tmp.resolve("out")));
            assertInstanceOf(IOException.class, e.getCause());
        }
    }

    @Test
    void aTornBatchIsFoundByVerifyAndRefusedByExport() {
        try (TimeMachine tm = TimeMachine.create(state(), TimeMachine.Options.defaults().withEngine(engine))) {
            RecordingBuilder rec = RecordingBuilder.create(tm.store(), 0, 0, 100, "/w").dir("/w", 1, 0755).flush();
            byte[] first = b("stored before the tear");
            byte[] second = b("lost in the tear");
            engine.tearCommit(engine.commits() + 1);
            assertThrows(TimeMachineException.class, () -> tm.store().content().putAll(List.of(first, second)));
            rec.add("/w/first", 2, new VersionRecord(VersionRecord.Kind.KEYFRAME, 0, first.length, ContentHash.sha256(first), 0644, null, 0))
                    .add("/w/second", 2, new VersionRecord(VersionRecord.Kind.KEYFRAME, 0, second.length, ContentHash.sha256(second), 0644, null, 0))
                    .flush();
            VerifyReport report = tm.verify(ProgressListener.SILENT);
            assertEquals(1, report.problems().size(), report.problems().toString());
            assertEquals(VerifyReport.Kind.MISSING_CONTENT, report.problems().get(0).kind());
            assertTrue(report.problems().get(0).detail().contains(ContentHash.sha256(second).toString()));
            RecordingInfo info = tm.recording(rec.id()).orElseThrow();
            CorruptDataException e = assertThrows(CorruptDataException.class, () -> tm.export(info, 50, tmp.resolve("out")));
            assertTrue(e.key().contains("/w/second"), e.getMessage());
        }
    }

    @Test
    void journalingNeverSyncs() throws Exception {
        try (KvTimeMachineStore store = Stores.openOrCreate(state(), engine, Map.of())) {
            int id = recording(store);
            ScriptedSource source = new ScriptedSource();
            source.queue.addAll(writes(3_000, new ByteArrayOutputStream()));
            long before = engine.syncs();
            Pipeline pipeline = new Pipeline(source, new PathFilter(List.of(Path.of(ROOT)), List.of(), null),
                    store.kvJournal(id), compactor(store, id), Schedule.DEFAULT, new FakeTicker(10 * T0, 1_000_000));
            pipeline.start();
            pipeline.finish();
            assertEquals(3_001, store.journal(id).lastSequence());
            assertEquals(before, engine.syncs(), "no fsync on the path of the events; the recorder syncs once at the end");
        }
    }
}
