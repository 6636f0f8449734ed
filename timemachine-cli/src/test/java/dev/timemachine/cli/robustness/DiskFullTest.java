package dev.timemachine.cli.robustness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.timemachine.cli.fidelity.Cli;
import dev.timemachine.cli.fidelity.TreeManifest;
import dev.timemachine.cli.fidelity.Workload;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk full while recording (issue 4, item 7): the state dir is a 24 MiB tmpfs and the command writes 64 MiB.
 * {@code record} must still exit with the command's own code and say that recording stopped early, and the
 * recording must stay readable: the step before the disk filled exports exactly, and the latest export holds
 * a prefix of what the command wrote.
 */
class DiskFullTest {
    private static final int FLOOD_MIB = 64;
    private static final int EXIT = 3;

    @TempDir
    Path tmp;
    Path state;
    Path root;
    Path manifest;
    Cli recorded;

    @BeforeEach
    void recordIntoASmallTmpfs() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT + "; mounting a small tmpfs needs root too");
        state = Files.createDirectory(tmp.resolve("state"));
        Workload.run(List.of("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", state.toString()));
        root = Files.createDirectory(tmp.resolve("root"));
        manifest = tmp.resolve("manifest.txt");
        recorded = Workload.record(state, root, List.of(), "disk-full", manifest, String.valueOf(FLOOD_MIB), String.valueOf(EXIT));
    }

    @AfterEach
    void unmount() {
        if (state != null) {
            Workload.run(List.of("umount", state.toString()));
        }
    }

    @Test
    void recordSaysRecordingStoppedEarly() {
        assertTrue(recorded.err().contains("recording stopped early"), recorded.printed());
        assertTrue(recorded.err().contains("No space left on device"), "and why: " + recorded.printed());
    }

    @Test
    void recordExitsWithTheCommandsCode() {
        assertEquals(EXIT, recorded.exitCode(), recorded.printed());
    }

    @Test
    void theRecordingIsReadableOnTheFullDisk() throws IOException {
        assertReadable();
    }

    @Test
    void nothingJournaledIsLostOnceThereIsRoomAgain() throws IOException {
        Workload.run(List.of("mount", "-o", "remount,size=256m", state.toString()));
        assertReadable();
    }

    private void assertReadable() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 2);
        Workload.assertExportMatches(state, steps.get(0), tmp.resolve("export-early"), recorded.err());
        Path latest = tmp.resolve("export-latest");
        Cli export = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", latest.toString());
        assertEquals(0, export.exitCode(), export.printed() + "\nrecord: " + recorded.printed());
        assertArrayEquals(Files.readAllBytes(root.resolve("early.txt")), Files.readAllBytes(latest.resolve("early.txt")));
        // the first MiBs of the flood fit (24 MiB, nearly empty at the start): it was created and partly written
        Path flood = latest.resolve("flood.bin");
        assertTrue(Files.exists(flood), "the flood file's creation was journaled: " + export.printed());
        long size = Files.size(flood);
        assertTrue(size > 0 && size < (long) FLOOD_MIB << 20, "some but not all of it fit in 24 MiB: " + size + " bytes");
        assertTrue(isPrefix(flood, root.resolve("flood.bin")), "what was journaled is a prefix of what was written");
    }

    private static boolean isPrefix(Path part, Path whole) throws IOException {
        try (InputStream a = Files.newInputStream(part); InputStream b = Files.newInputStream(whole)) {
            byte[] x = new byte[1 << 20];
            byte[] y = new byte[1 << 20];
            for (int n; (n = a.readNBytes(x, 0, x.length)) > 0; ) {
                if (b.readNBytes(y, 0, n) != n || !Arrays.equals(x, 0, n, y, 0, n)) {
                    return false;
                }
            }
            return true;
        }
    }
}
