package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.timemachine.api.EventSink;
import dev.timemachine.api.EventSource;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorder's three threads fed by a scripted source, over the in-memory engine. */
class PipelineTest {
    private static final String ROOT = "/r";
    private static final byte[] FILE = b(ROOT + "/f");

    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Time is a fake ticker that moves 1 ms at every reading, well after the events' own timestamps: the first
     * watermark covers all of them, so the first small step compacts all of them, and the test waits for that
     * step instead of polling a clock.
     */
    @Test
    void compactsInSmallStepsWhileTheCommandRunsAndEverythingAtTheEnd() throws Exception {
        long t0 = 1_000_000_000L;
        FakeTicker ticker = new FakeTicker(10 * t0, 1_000_000);
        try (KvTimeMachineStore store = Stores.openOrCreate(tmp.resolve("state"), new MemoryEngine(), Map.of())) {
            int id = store.recordings().create(new RecordingInfo(0, t0, 0, 0, List.of("x"), List.of(ROOT), "test",
                    -1, false, Map.of())).id();
            store.versions(id).putAll(List.of(new Version(b(ROOT), t0, 0,
                    new VersionRecord(VersionRecord.Kind.DIRECTORY, 0, 0, null, 0755, null, 0))));
            TreeState tree = new TreeState();
            tree.put(b(ROOT), new TreeState.Dir(0755));
            PathFilter filter = new PathFilter(List.of(Path.of(ROOT)), List.of(), null);
            Compactor compactor = new Compactor(store, id, tree, filter, new KvReplayer(store, id));
            ScriptedSource source = new ScriptedSource();

            ByteArrayOutputStream written = new ByteArrayOutputStream();
            source.queue.add(new FsEvent(t0 + 1, 1, 1, Op.CREATE, FILE, null, 0, 0, 0644, null, 0));
            for (int i = 0; i < 3_000; i++) {
                byte[] payload = b(String.format("write %08d of the pipeline test, sixty-four bytes long.....%n", i));
                assertEquals(64, payload.length);
                source.queue.add(new FsEvent(t0 + 2 + i, 1, 1, Op.WRITE, FILE, null, 64L * i, 64, 0, payload, 0));
                written.write(payload);
            }
            // 3,001 events and 192 KB: far below the backlog bounds, past the first small step
            Pipeline pipeline = new Pipeline(source, filter, store.kvJournal(id), compactor, Schedule.DEFAULT, ticker);
            pipeline.start();
            pipeline.awaitSteps(1);
            assertEquals(3_001, compactor.counters().events(), "the first step compacts what the command wrote so far");
            assertArrayEquals(written.toByteArray(), new KvReplayer(store, id).contentAt(FILE, Long.MAX_VALUE, Long.MAX_VALUE));

            byte[] last = b("one more write after the command exited, at the end of the file.\n");
            source.queue.add(new FsEvent(t0 + 5_000, 1, 1, Op.WRITE, FILE, null, written.size(), last.length, 0, last, 0));
            written.write(last);
            pipeline.finish();

            assertNull(pipeline.failure());
            assertEquals(3_002, compactor.counters().events());
            assertEquals(1, pipeline.lateEvents(), "stamped before the watermark it arrived after");
            assertArrayEquals(written.toByteArray(), new KvReplayer(store, id).contentAt(FILE, Long.MAX_VALUE,
                    Long.MAX_VALUE));
        }
    }
}
