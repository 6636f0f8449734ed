package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Readers share a state dir ({@link TimeMachine.Options#withReadOnly}): a second process reads while this one
 * has it open for reading, writers are kept out while a reader is in and readers while a writer is, and a
 * reader writes nothing to the state dir.
 */
public abstract class SharedReadContract extends EngineTestBase {
    private static final long S = 1_000_000_000L;

    private Path dir;

    @BeforeEach
    void recordOne() {
        dir = tmp.resolve("shared-state");
        try (TimeMachine tm = TimeMachine.create(dir, options())) {
            RecordingBuilder.create(tm.store(), 10 * S, 1_000 * S, 20 * S, "/w")
                    .dir("/w", 10 * S, 0755).file("/w/a.txt", 11 * S, 0644, "hello").flush();
        }
    }

    private TimeMachine.Options options() {
        return TimeMachine.Options.defaults().withEngine(engine());
    }

    /** What a second process gets when it opens the state dir for reading or writing. */
    private String second(String mode) throws IOException, InterruptedException {
        Process p = ForkedJvm.start(SharedReader.class, tmp.resolve("second.err"),
                List.of(engine().getClass().getName(), dir.toString(), mode, "/w/a.txt"));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the second process did not finish");
        assertEquals(0, p.exitValue(), out + "; see " + tmp.resolve("second.err"));
        return out;
    }

    @Test
    void aSecondReaderReadsWhileTheFirstHasItOpenAndWritersWait() throws Exception {
        try (TimeMachine reader = TimeMachine.open(dir, options().withReadOnly(true))) {
            assertEquals("OPEN 1 hello", second("read"));
            String writer = second("write");
            assertTrue(writer.startsWith("REFUSED ") && writer.contains("being read by another process"), writer);
            TimeMachineException gc = assertThrows(TimeMachineException.class,
                    () -> reader.gc(List.of(1), ProgressListener.SILENT));
            assertTrue(gc.getMessage().contains("open for reading only"), gc.getMessage());
            assertEquals(1, reader.recordings().size());
        }
        assertEquals("OPEN 1 hello", second("write"));
    }

    @Test
    void aWriterKeepsReadersOut() throws Exception {
        try (TimeMachine writer = TimeMachine.open(dir, options())) {
            String reader = second("read");
            assertTrue(reader.startsWith("REFUSED ") && reader.contains("in use by another process"), reader);
        }
    }

    @Test
    void aReaderWritesNothingToTheStateDir() throws Exception {
        Map<String, String> before = files(dir);
        try (TimeMachine reader = TimeMachine.open(dir, options().withReadOnly(true))) {
            RecordingBuilder.create(reader.store(), 30 * S, 2_000 * S, 40 * S, "/w").file("/w/b.txt", 31 * S, 0644, "b")
                    .flush();
            assertEquals(2, reader.recordings().size(), "a reader's writes are kept in memory");
        }
        assertEquals(before, files(dir));
        try (TimeMachine again = TimeMachine.open(dir, options().withReadOnly(true))) {
            assertEquals(1, again.recordings().size());
        }
    }

    @Test
    void aRecordingWhoseRecorderDiedIsFinishedBeforeItIsReadAndVerifyReadsItAsItIs() {
        try (TimeMachine tm = TimeMachine.open(dir, options())) {
            RecordingBuilder.create(tm.store(), 30 * S, 2_000 * S, 0, "/w").file("/w/b.txt", 31 * S, 0644, "b").flush();
        }
        try (TimeMachine asIs = TimeMachine.open(dir, options().withReadOnly(true).withFinishInterrupted(false))) {
            assertFalse(asIs.recording(2).orElseThrow().complete());
            assertTrue(asIs.recovered().isEmpty());
        }
        try (TimeMachine reader = TimeMachine.open(dir, options().withReadOnly(true))) {
            assertEquals(List.of(2), reader.recovered());
        }
        try (TimeMachine reader = TimeMachine.open(dir, options().withReadOnly(true).withFinishInterrupted(false))) {
            assertTrue(reader.recordings().stream().allMatch(RecordingInfo::complete), "finished for good");
        }
    }

    /**
     * Every file under {@code dir} with its size and modification time, but RocksDB's info log, which a
     * read-only open also writes.
     */
    private static Map<String, String> files(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                if (p.getFileName().toString().startsWith("LOG")) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                files.put(dir.relativize(p).toString(), a.size() + " " + a.lastModifiedTime().toMillis());
            }
        }
        return files;
    }
}
