package dev.timemachine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event source {@code record} starts making before picocli has parsed its command line. */
class RecordPrestartTest {
    @TempDir
    Path tmp;

    @Test
    void onlyForRecordWithTheDefaultCapture() {
        assertTrue(RecordCommand.wantsAutoCapture("record", "--path", "/tmp", "--", "make"));
        assertTrue(RecordCommand.wantsAutoCapture("record", "ls", "-la"));
        // after --, the arguments are the recorded command's own
        assertTrue(RecordCommand.wantsAutoCapture("record", "--", "sh", "--help", "--capture", "x"));
        assertFalse(RecordCommand.wantsAutoCapture("record", "--capture", "ebpf", "--", "make"));
        assertFalse(RecordCommand.wantsAutoCapture("record", "--capture=ebpf", "--", "make"));
        assertFalse(RecordCommand.wantsAutoCapture("record", "--help"));
        assertFalse(RecordCommand.wantsAutoCapture("record", "-h"));
        assertFalse(RecordCommand.wantsAutoCapture("record", "--version"));
        assertFalse(RecordCommand.wantsAutoCapture("export", "--time", "1s", "--out", "x"));
        assertFalse(RecordCommand.wantsAutoCapture("--verbose", "record", "--", "true"));
        assertFalse(RecordCommand.wantsAutoCapture());
    }

    @Test
    void anUnusedSourceIsNotLeftBehind() {
        CliRunner usage = CliRunner.run("record", "--state-dir", tmp.resolve("s").toString());
        assertEquals(ExitCode.USAGE, usage.exitCode(), usage.err());
        assertFalse(RecordCommand.hasEarlySource());

        CliRunner badRoot = CliRunner.run("record", "--state-dir", tmp.resolve("s").toString(), "--path",
                tmp.resolve("missing").toString(), "--", "true");
        assertEquals(ExitCode.USAGE, badRoot.exitCode(), badRoot.err());
        assertTrue(badRoot.err().contains("is not a directory"), badRoot.err());
        assertFalse(RecordCommand.hasEarlySource());
    }
}
