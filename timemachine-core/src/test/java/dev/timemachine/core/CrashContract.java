package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.JournalPosition;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A forked JVM appends to a store and is killed with SIGKILL mid-stream; after reopening, every
 * acknowledged batch is there, whole, and nothing is corrupt.
 */
public abstract class CrashContract extends EngineTestBase {
    /** How many events to see acknowledged before the kill. */
    protected long eventsBeforeKill() {
        return 200_000;
    }

    /** A JVM running {@code main} of {@code victim} with these arguments, on this test's class path. */
    private Process fork(Class<?> victim, String... args) throws java.io.IOException {
        List<String> all = new ArrayList<>(List.of(engine().getClass().getName()));
        all.addAll(List.of(args));
        return ForkedJvm.start(victim, tmp.resolve("writer.err"), all);
    }

    @Test
    void everyAcknowledgedEventSurvivesSigkill() throws Exception {
        Path dir = tmp.resolve("crash-state");
        Process p = fork(CrashWriter.class, dir.toString());
        long acked = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked = Long.parseLong(line.substring(4));
                    if (acked >= eventsBeforeKill()) {
                        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close
                        break;
                    }
                }
            }
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "writer did not die");
        }
        assertTrue(acked >= eventsBeforeKill(), "writer stopped early; see " + new File(tmp.toFile(), "writer.err"));

        KvTimeMachineStore store = open(dir);
        long last = store.journal(1).lastSequence();
        assertTrue(last >= acked, "acknowledged " + acked + " but only " + last + " survived");
        assertEquals(0, last % CrashWriter.BATCH, "a batch survived in part: last sequence " + last);
        long[] expectedSeq = {1};
        store.journal(1).scan(JournalPosition.START, e -> {
            assertEquals(expectedSeq[0], e.sequence());
            assertEquals(CrashWriter.eventFor(e.sequence()), e.event());
            expectedSeq[0]++;
            return true;
        });
        assertEquals(last + 1, expectedSeq[0]);
        for (long batch = 1; batch <= acked / CrashWriter.BATCH; batch++) {
            byte[] content = CrashWriter.contentFor(batch);
            assertArrayEquals(content, store.content().get(dev.timemachine.api.ContentHash.of(
                    java.security.MessageDigest.getInstance("SHA-256").digest(content))));
        }
    }

    /**
     * A forked JVM is killed with SIGKILL in the middle of compacting its journal (some chunks compacted and
     * trimmed, one half written); opening the state dir finishes the recording from what the journal still
     * holds, and every file rebuilds to the bytes written.
     */
    @Test
    void aCompactionKilledHalfwayIsFinishedWhenTheStateDirIsOpened() throws Exception {
        Path dir = tmp.resolve("crash-state");
        Path root = java.nio.file.Files.createDirectories(tmp.resolve("root")).toRealPath();
        Process p = fork(CompactionCrashWriter.class, dir.toString(), root.toString());
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = r.readLine();
            p.destroyForcibly();
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "writer did not die");
        }
        assertTrue(line != null && line.startsWith("COMPACTING "), line + "; see " + tmp.resolve("writer.err"));
        long trimmedBeforeKill = Long.parseLong(line.substring("COMPACTING ".length()));
        assertTrue(trimmedBeforeKill > 0 && trimmedBeforeKill < CompactionCrashWriter.WRITES, line);

        try (TimeMachine tm = TimeMachine.open(dir, TimeMachine.Options.defaults().withEngine(engine()))) {
            assertEquals(List.of(1), tm.recovered());
            var replayer = tm.replayer(tm.recording(1).orElseThrow());
            byte[][] expected = CompactionCrashWriter.expected(root);
            for (int f = 0; f < expected.length; f++) {
                java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                replayer.contentAt(CompactionCrashWriter.path(root, f), Long.MAX_VALUE, got);
                assertArrayEquals(expected[f], got.toByteArray(), "file " + f);
            }
            assertTrue(tm.verify(ProgressListener.SILENT).ok());
        }
    }
}
