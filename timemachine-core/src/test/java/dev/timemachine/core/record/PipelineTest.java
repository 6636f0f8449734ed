package dev.timemachine.core.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.EventSink;
import dev.timemachine.api.EventSource;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.core.KvTimeMachineStore;
import dev.timemachine.core.Stores;
import dev.timemachine.core.replay.KvReplayer;
import dev.timemachine.core.testkit.MemoryEngine;
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

    /** Delivers whatever the test has queued. */
    private static final class ScriptedSource implements EventSource {
        final ConcurrentLinkedQueue<FsEvent> queue = new ConcurrentLinkedQueue<>();

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public String unavailabilityCause() {
            return null;
        }

        @Override
        public void start() {
        }

        @Override
        public void track(int pid) {
        }

        @Override
        public int poll(EventSink sink, Duration timeout) {
            int n = 0;
            for (FsEvent e = queue.poll(); e != null; e = queue.poll()) {
                sink.accept(e);
                n++;
            }
            if (n == 0) {
                LockSupport.parkNanos(Math.min(timeout.toNanos(), 1_000_000));
            }
            return n;
        }

        @Override
        public long droppedRecords() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void compactsInSmallStepsWhileTheCommandRunsAndEverythingAtTheEnd() throws Exception {
        try (KvTimeMachineStore store = Stores.openOrCreate(tmp.resolve("state"), new MemoryEngine(), Map.of())) {
            long start = System.nanoTime();
            int id = store.recordings().create(new RecordingInfo(0, start, 0, 0, List.of("x"), List.of(ROOT), "test",
                    -1, false, Map.of())).id();
            store.versions(id).putAll(List.of(new Version(b(ROOT), start, 0,
                    new VersionRecord(VersionRecord.Kind.DIRECTORY, 0, 0, null, 0755, null, 0))));
            TreeState tree = new TreeState();
            tree.put(b(ROOT), new TreeState.Dir(0755));
            PathFilter filter = new PathFilter(List.of(Path.of(ROOT)), List.of(), null);
            Compactor compactor = new Compactor(store, id, tree, filter, new KvReplayer(store, id)::contentAt);
            ScriptedSource source = new ScriptedSource();
            Pipeline pipeline = new Pipeline(source, filter, store.journal(id), compactor);
            pipeline.start();

            ByteArrayOutputStream written = new ByteArrayOutputStream();
            source.queue.add(new FsEvent(System.nanoTime(), 1, 1, Op.CREATE, FILE, null, 0, 0, 0644, null, 0));
            for (int i = 0; i < 3_000; i++) {
                byte[] payload = b(String.format("write %08d of the pipeline test, sixty-four bytes long.....%n", i));
                assertEquals(64, payload.length);
                source.queue.add(new FsEvent(System.nanoTime(), 1, 1, Op.WRITE, FILE, null, 64L * i, 64, 0, payload,
                        0));
                written.write(payload);
            }
            // 3,001 events and 192 KB: far below the backlog bounds, past the first small step
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (new KvReplayer(store, id).stateAt(FILE, Long.MAX_VALUE).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "nothing was compacted while the command ran");
                Thread.sleep(5);
            }

            byte[] last = b("one more write after the command exited, at the end of the file.\n");
            source.queue.add(new FsEvent(System.nanoTime(), 1, 1, Op.WRITE, FILE, null, written.size(), last.length,
                    0, last, 0));
            written.write(last);
            pipeline.finish();

            assertNull(pipeline.failure());
            assertEquals(3_002, compactor.counters().events());
            assertArrayEquals(written.toByteArray(), new KvReplayer(store, id).contentAt(FILE, Long.MAX_VALUE,
                    Long.MAX_VALUE));
        }
    }
}
