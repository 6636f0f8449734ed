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

    @Test
    void everyAcknowledgedEventSurvivesSigkill() throws Exception {
        Path dir = tmp.resolve("crash-state");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-opens");
        cmd.add("java.base/java.nio=ALL-UNNAMED");
        cmd.add("--add-opens");
        cmd.add("java.base/sun.nio.ch=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CrashWriter.class.getName());
        cmd.add(engine().getClass().getName());
        cmd.add(dir.toString());
        Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("writer.err").toFile()).start();
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
}
