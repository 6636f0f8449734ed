package dev.timemachine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path tmp;

    @Test
    void helpListsCommandsAndExitCodes() {
        CliRunner r = CliRunner.run("--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("migrate"), r.out());
        assertTrue(r.out().contains("Exit codes:"), r.out());
    }

    @Test
    void versionNamesTheProjectVersion() {
        CliRunner r = CliRunner.run("--version");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().matches("timemachine \\d+\\.\\d+\\.\\d+.*\\s*"), r.out());
    }

    @Test
    void unknownOptionIsAUsageErrorInOneLinePlusHint() {
        CliRunner r = CliRunner.run("--bogus");
        assertEquals(2, r.exitCode());
        assertEquals("timemachine: Unknown option: '--bogus'\nTry 'timemachine --help' for more information.\n",
                r.err());
    }

    @Test
    void unknownEngineListsTheAvailableOnes() {
        CliRunner r = CliRunner.run("migrate", "--from", "foo:" + tmp.resolve("a"), "--to", "rocks:" + tmp.resolve("b"));
        assertEquals(2, r.exitCode());
        assertEquals("timemachine: unknown store 'foo'; available: lmdb, rocks\n", r.err());
        assertFalse(Files.exists(tmp.resolve("b")));
    }

    @Test
    void aDirectoryThatIsNotAStateDirIsAUsageError() throws Exception {
        Files.writeString(tmp.resolve("some-file"), "x");
        CliRunner r = CliRunner.run("info", "--state-dir", tmp.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("timemachine: " + tmp + " is not a Time Machine state dir"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void aNamedSubcommandIsTheOnlyOneBuiltAndKeepsItsFullName() {
        assertEquals(java.util.Set.of("record"), Main.commandLine("record", "--", "true").getSubcommands().keySet());
        assertEquals(TimeMachineCommand.SUBCOMMANDS.size(), Main.commandLine("--verbose", "record").getSubcommands().size());
        CliRunner help = CliRunner.run("export", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().startsWith("Usage: timemachine export "), help.out());
        assertTrue(help.out().contains("--verbose"), help.out());
        CliRunner bad = CliRunner.run("export", "--bogus");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().endsWith("Try 'timemachine export --help' for more information.\n"), bad.err());
    }

    @Test
    void recordTakesEverythingAfterTheCommandNameAsItsArguments() {
        picocli.CommandLine.ParseResult r = Main.commandLine("record").parseArgs("record", "--path", "/tmp", "ls", "-la", "--path", "x");
        RecordCommand record = r.subcommand().commandSpec().commandLine().getCommand();
        assertEquals(java.util.List.of("ls", "-la", "--path", "x"), record.command);
        assertEquals(java.util.List.of(Path.of("/tmp")), record.roots);
    }

    @Test
    void recordWithoutACommandIsAUsageError() {
        CliRunner r = CliRunner.run("record", "--state-dir", tmp.resolve("s").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("CMD"), r.err());
        assertFalse(Files.exists(tmp.resolve("s")));
    }

    @Test
    void malformedStoreLocationIsAUsageError() {
        CliRunner r = CliRunner.run("migrate", "--from", "nodir", "--to", "rocks:" + tmp.resolve("b"));
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("expected ENGINE:DIR"), r.err());
    }

    /** gc drops only what a flag names: its help says so, not the shared "default: the latest". */
    @Test
    void gcHelpSaysItDropsOnlyWhatAFlagNames() {
        CliRunner r = CliRunner.run("gc", "--help");
        assertEquals(0, r.exitCode(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--recording=ID Drop this recording (default: none;"), r.out());
        assertTrue(help.contains("Without either flag no recording is dropped"), r.out());
        assertFalse(help.contains("the latest"), r.out());
    }
}
