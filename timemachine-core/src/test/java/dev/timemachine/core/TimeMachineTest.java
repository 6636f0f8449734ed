package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.NotAStateDirException;
import dev.timemachine.api.Op;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade as an embedder uses it: create a state dir, record a real command (with a scripted event source,
 * so no root is needed), read the recording back, and look after it, all at instants a fixed clock gives.
 */
class TimeMachineTest {
    private static final Instant START = Instant.parse("2026-11-25T17:00:00Z");

    @TempDir
    Path tmp;

    private TimeMachine.Options options(Instant now) {
        return TimeMachine.Options.defaults().withEngine(new MemoryEngine()).withClock(Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void recordsACommandAndGivesBackItsTreeAndItsExitCode() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root")).toRealPath();
        Files.writeString(root.resolve("before.txt"), "there before the command\n");
        Path state = tmp.resolve("state");
        ScriptedSource source = new ScriptedSource();
        byte[] made = (root + "/made.txt").getBytes(StandardCharsets.UTF_8);
        List<String> steps = new ArrayList<>();
        RecordResult run;
        try (TimeMachine tm = TimeMachine.create(state, options(START))) {
            RecordRequest request = RecordRequest.of("sh", "-c", "exit 3").withRoots(List.of(root)).withSource(source)
                    .onStart(p -> {
                        long t = System.nanoTime();
                        source.queue.add(new FsEvent(t, (int) p.pid(), (int) p.pid(), Op.CREATE, made, null, 0, 0, 0640, null, 0));
                        source.queue.add(FsEvent.write(t + 1, (int) p.pid(), made, 0, "made by it\n".getBytes(StandardCharsets.UTF_8)));
                    })
                    .withProgress(new ProgressListener() {
                        @Override
                        public void step(String description) {
                            steps.add(description);
                        }
                    });
            run = tm.record(request);
        }
        assertEquals(3, run.exitCode(), "the command's own exit code");
        assertEquals(null, run.failure());
        RecordingInfo info = run.recording();
        assertTrue(info.complete());
        assertEquals(START.getEpochSecond() * 1_000_000_000L, info.startWallNs(), "the start instant comes from the clock");
        assertEquals(List.of("sh", "-c", "exit 3"), info.command());
        assertEquals("scripted", info.capture());
        assertEquals(2L, info.counters().get("events"));
        assertTrue(steps.contains("running"), steps.toString());

        try (TimeMachine tm = TimeMachine.open(state, options(START))) {
            assertEquals(info, tm.latest().orElseThrow());
            Path out = tmp.resolve("out");
            ExportSummary s = tm.export(info, TimeSpec.parse("latest").resolve(info), out);
            assertEquals(2, s.files());
            assertEquals("there before the command\n", Files.readString(out.resolve("before.txt")));
            assertEquals("made by it\n", Files.readString(out.resolve("made.txt")));
            Path atStart = tmp.resolve("at-start");
            tm.export(info, info.startMonoNs(), atStart);
            assertFalse(Files.exists(atStart.resolve("made.txt")), "the baseline holds only what was there before");
            assertEquals(List.of(VersionRecord.Kind.KEYFRAME, VersionRecord.Kind.EXTENT),
                    tm.history(info, made).stream().map(h -> h.version().record().kind()).toList(), "created, then written");
            List<TimelineEvent> timeline = new ArrayList<>();
            tm.timeline(info, Long.MIN_VALUE, Long.MAX_VALUE, timeline::add);
            assertEquals(List.of(Op.CREATE, Op.WRITE), timeline.stream().map(e -> e.entry().event().op()).toList());
            assertTrue(tm.verify(ProgressListener.SILENT).ok());
        }
    }

    /** With compaction left for later, record returns once journaled; the next opening compacts, nothing lost. */
    @Test
    void aRecordingWhoseCompactionWasLeftForLaterIsFinishedByTheNextOpening() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root")).toRealPath();
        Path state = tmp.resolve("state");
        ScriptedSource source = new ScriptedSource();
        byte[] made = (root + "/made.txt").getBytes(StandardCharsets.UTF_8);
        byte[] page = new byte[4096];
        java.util.Arrays.fill(page, (byte) 'p');
        RecordResult run;
        try (TimeMachine tm = TimeMachine.create(state, options(START))) {
            run = tm.record(RecordRequest.of("sh", "-c", "exit 5").withRoots(List.of(root)).withSource(source)
                    .withCompactionLater(true).onStart(p -> {
                        long t = System.nanoTime();
                        source.queue.add(new FsEvent(t, (int) p.pid(), (int) p.pid(), Op.CREATE, made, null, 0, 0, 0644, null, 0));
                        source.queue.add(FsEvent.write(t + 1, (int) p.pid(), made, 0, page));
                    }));
            assertEquals(5, run.exitCode());
            assertFalse(run.recording().complete(), "left for later");
            assertEquals(2L, run.recording().counters().get("events"));
            assertEquals(0, tm.store().versions(run.recording().id()).history(made).size(), "nothing compacted yet");
        }
        try (TimeMachine tm = TimeMachine.open(state, options(START))) {
            assertEquals(List.of(run.recording().id()), tm.recovered());
            RecordingInfo info = tm.latest().orElseThrow();
            assertTrue(info.complete());
            assertEquals(5, info.exitCode(), "the exit code the recorder knew is kept");
            assertEquals(2L, info.counters().get("events"), "counted once");
            assertFalse(info.counters().containsKey("recovered"), "not a recorder that died");
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            tm.replayer(info).contentAt(made, Long.MAX_VALUE, out);
            assertArrayEquals(page, out.toByteArray());
        }
    }

    @Test
    void gcAgesComeFromTheClock() {
        Path state = tmp.resolve("state");
        try (TimeMachine tm = TimeMachine.create(state, options(START))) {
            RecordingBuilder.create(tm.store(), 10, START.getEpochSecond() * 1_000_000_000L, 20, "/w").flush();
        }
        try (TimeMachine tm = TimeMachine.open(state, options(START.plus(Duration.ofHours(23))))) {
            assertEquals(List.of(), tm.recordingsOlderThan(Duration.ofDays(1)));
        }
        try (TimeMachine tm = TimeMachine.open(state, options(START.plus(Duration.ofHours(25))))) {
            assertEquals(List.of(1), tm.recordingsOlderThan(Duration.ofDays(1)));
            GcResult r = tm.gc(tm.recordingsOlderThan(Duration.ofDays(1)), ProgressListener.SILENT);
            assertEquals(List.of(1), r.droppedRecordings());
            assertTrue(tm.recordings().isEmpty());
        }
    }

    @Test
    void openRefusesWhatIsNotAStateDirAndCreateRefusesAnotherEngine() throws Exception {
        assertThrows(NotAStateDirException.class, () -> TimeMachine.open(tmp.resolve("absent")));
        Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(tmp.resolve("busy/file"), "x");
        assertThrows(NotAStateDirException.class, () -> TimeMachine.create(tmp.resolve("busy"), options(START)));
        TimeMachine.create(tmp.resolve("state"), options(START)).close();
        StorageEngine other = new StorageEngine() {
            @Override
            public String name() {
                return "other";
            }

            @Override
            public KeyValueStore open(Path dir, Map<String, String> settings) {
                return new MemoryEngine().open(dir, settings);
            }
        };
        NotAStateDirException e = assertThrows(NotAStateDirException.class,
                () -> TimeMachine.create(tmp.resolve("state"), TimeMachine.Options.defaults().withEngine(other)));
        assertTrue(e.getMessage().contains("created with engine 'memory', not 'other'"), e.getMessage());
    }

    @Test
    void aClosedTimeMachineRefusesToWork() {
        TimeMachine tm = TimeMachine.create(tmp.resolve("state"), options(START));
        tm.close();
        tm.close();
        assertThrows(IllegalStateException.class, tm::recordings);
    }
}
