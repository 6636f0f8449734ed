package dev.timemachine.cli.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.core.RecordingBuilder;
import dev.timemachine.core.TimeMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read commands share a state dir: while one process has it open for reading (as a long {@code verify}
 * does), {@code info}, {@code cat} and {@code verify} run in another, and {@code gc} is refused with a line
 * saying why; while one has it open for writing (a running {@code record}), readers are refused.
 */
class SharedStateDirTest {
    private static final long S = 1_000_000_000L;

    @TempDir
    Path tmp;

    private Path record(String engine) {
        Path state = tmp.resolve("state");
        try (TimeMachine tm = TimeMachine.create(state, TimeMachine.Options.defaults().withEngine(engine))) {
            RecordingBuilder.create(tm.store(), 10 * S, 1_000 * S, 20 * S, "/w")
                    .dir("/w", 10 * S, 0755).file("/w/a.txt", 11 * S, 0644, "hello\n").flush();
        }
        return state;
    }

    /** The exit code and output of {@code timemachine ARGS} in a JVM of its own. */
    private String[] run(String... args) throws Exception {
        Path log = Files.createTempFile(tmp, "child", ".log");
        Process p = ChildRecorder.start(log, List.of(args));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", args) + " did not finish");
        return new String[] {String.valueOf(p.exitValue()), Files.readString(log)};
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocks", "lmdb"})
    void readCommandsRunBesideAReaderAndGcWaitsForIt(String engine) throws Exception {
        Path state = record(engine);
        try (TimeMachine verifying = TimeMachine.open(state, TimeMachine.Options.defaults().withReadOnly(true)
                .withFinishInterrupted(false))) {
            String[] cat = run("cat", "--state-dir", state.toString(), "--time", "latest", "/w/a.txt");
            assertEquals("0", cat[0], cat[1]);
            assertEquals("hello\n", cat[1]);
            String[] info = run("info", "--state-dir", state.toString());
            assertEquals("0", info[0], info[1]);
            assertTrue(info[1].contains("complete"), info[1]);
            String[] verify = run("verify", "--state-dir", state.toString());
            assertEquals("0", verify[0], verify[1]);
            String[] gc = run("gc", "--state-dir", state.toString(), "--recording", "1");
            assertEquals("1", gc[0], gc[1]);
            assertEquals(1, gc[1].lines().count(), gc[1]);
            assertTrue(gc[1].contains("is being read by another process"), gc[1]);
            assertEquals(1, verifying.recordings().size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocks", "lmdb"})
    void readersAreRefusedWhileAWriterHasIt(String engine) throws Exception {
        Path state = record(engine);
        try (TimeMachine writer = TimeMachine.open(state, TimeMachine.Options.defaults())) {
            String[] info = run("info", "--state-dir", state.toString());
            assertEquals("1", info[0], info[1]);
            assertTrue(info[1].contains("is in use by another process"), info[1]);
        }
    }
}
