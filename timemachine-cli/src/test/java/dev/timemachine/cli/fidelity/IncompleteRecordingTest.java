package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a recording cannot hold is said, not passed over: a 32-bit program's syscalls have i386 numbers, which the
 * capture does not decode ({@code write32.c} creates and writes a file through int 0x80), and a FIFO or device node
 * is no file a recording stores. record, info and export say so rather than pass the tree off as whole; a command
 * without either draws no such warning.
 */
class IncompleteRecordingTest {
    private static final String WARNING = "ran a 32-bit program, whose file changes the capture does not see";

    @TempDir
    Path tmp;

    @Test
    void aRecordingInWhichA32BitProgramRanSaysItMayLackItsChanges() throws Exception {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path program = build();
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path state = tmp.resolve("state");
        Cli recorded = Cli.run("record", "--state-dir", state.toString(), "--path", root.toString(), "--", "sh", "-c",
                "cd \"$0\" && \"$1\" && echo 64-bit > plain.txt", root.toString(), program.toString());
        Workload.assertRecorded(recorded);
        assertTrue(Files.exists(root.resolve("written-by-32-bit.txt")), "the program ran: " + recorded.printed());
        assertTrue(recorded.err().contains("warning: 1 process " + WARNING), recorded.printed());
        Cli info = Cli.run("info", "--state-dir", state.toString());
        assertTrue(info.out().contains("warning   1 process " + WARNING), info.printed());
        Path out = tmp.resolve("out");
        Cli export = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", out.toString());
        assertEquals(0, export.exitCode(), export.printed());
        assertTrue(export.err().contains(WARNING), export.printed());
        assertTrue(Files.exists(out.resolve("plain.txt")), "the 64-bit part is recorded: " + export.printed());

        Cli plain = Cli.run("record", "--state-dir", tmp.resolve("plain-state").toString(), "--path", root.toString(),
                "--", "sh", "-c", "echo again > \"$0\"/plain.txt", root.toString());
        Workload.assertRecorded(plain);
        assertFalse(plain.err().contains("warning"), plain.printed());
    }

    @Test
    void aFifoMadeInTheRootsIsSaidAndARegularFileMadeByMknodIsRecorded() throws Exception {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path root = Files.createDirectory(tmp.resolve("fifo-root"));
        Path state = tmp.resolve("fifo-state");
        Cli recorded = Cli.run("record", "--state-dir", state.toString(), "--path", root.toString(), "--", "python3", "-c",
                "import os, stat, sys; os.mkfifo(sys.argv[1] + '/pipe'); os.mknod(sys.argv[1] + '/made', stat.S_IFREG | 0o640)",
                root.toString());
        Workload.assertRecorded(recorded);
        assertTrue(recorded.err().contains("warning: 1 FIFO, socket or device node was in the roots or made there"),
                recorded.printed());
        // one there before the recording starts is said too
        Cli again = Cli.run("record", "--state-dir", state.toString(), "--path", root.toString(), "--", "true");
        assertTrue(again.err().contains("warning: 1 FIFO, socket or device node was in the roots or made there"),
                again.printed());
        Path out = tmp.resolve("fifo-out");
        Cli export = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", out.toString());
        assertTrue(export.err().contains("exports leave them out"), export.printed());
        assertTrue(Files.isRegularFile(out.resolve("made")), "mknod of a regular file is a create: " + export.printed());
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve("made"))));
        assertFalse(Files.exists(out.resolve("pipe")));
    }

    private Path build() throws URISyntaxException {
        Path program = tmp.resolve("write32");
        Path source = Path.of(IncompleteRecordingTest.class.getResource("/fidelity/write32.c").toURI());
        Workload.run(List.of("gcc", "-m32", "-nostdlib", "-static", "-O1", "-fno-pic", "-o", program.toString(),
                source.toString()));
        return program;
    }
}
