package dev.timemachine.cli.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.timemachine.cli.fidelity.Cli;
import dev.timemachine.cli.fidelity.TreeManifest;
import dev.timemachine.cli.fidelity.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/architecture.md §6: a recorder killed with SIGKILL mid-run loses nothing it journaled. The recorded workload makes
 * its changes, then writes a marker and waits; once the marker is in the state dir's files (the journal's
 * write-ahead log: journaled, so it survives the process), the recorder JVM is killed. {@code export} must
 * first finish the recording from its journal and then show every step exactly.
 */
class KilledRecorderTest {

    @TempDir
    Path tmp;
    Process recorder;
    long workloadPid;

    @AfterEach
    void killLeftovers() {
        if (recorder != null) {
            recorder.destroyForcibly();
        }
        if (workloadPid > 0) {
            ProcessHandle.of(workloadPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(300)
    void exportAfterSigkillShowsEverythingJournaledBeforeIt() throws Exception {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path root = Files.createDirectory(tmp.resolve("root"));
        byte[] pre = new byte[20_000];
        new Random(3).nextBytes(pre);
        Files.write(root.resolve("pre.bin"), pre);
        Path state = tmp.resolve("state");
        Path manifest = tmp.resolve("manifest.txt");
        Path pidFile = tmp.resolve("workload.pid");
        String marker = "tm-kill-marker-" + UUID.randomUUID();
        Path markerFile = Files.writeString(tmp.resolve("marker"), marker);
        Path log = tmp.resolve("recorder.log");

        List<String> args = new ArrayList<>(List.of("record", "--state-dir", state.toString(), "--path", root.toString(), "--"));
        args.addAll(Workload.command("kill", root, manifest, markerFile.toString(), pidFile.toString()));
        recorder = ChildRecorder.start(log, args);
        awaitJournaled(state, marker.getBytes(StandardCharsets.US_ASCII), log);

        recorder.destroyForcibly();
        assertTrue(recorder.waitFor(60, TimeUnit.SECONDS), "the recorder died of SIGKILL");
        assertEquals(137, recorder.exitValue(), "killed by SIGKILL");
        workloadPid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle.of(workloadPid).ifPresent(ProcessHandle::destroyForcibly);

        List<TreeManifest.Step> steps = Workload.steps(manifest, 8);
        String context = "recorder log: " + Files.readString(log);
        for (TreeManifest.Step step : steps) {
            Path out = tmp.resolve("export-" + step.index());
            Workload.assertExportMatches(state, step, out, context);
        }
        Path latest = tmp.resolve("export-latest");
        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", latest.toString());
        assertEquals(0, r.exitCode(), r.printed());
        assertEquals(steps.get(steps.size() - 1).entries(), TreeManifest.of(latest),
                "latest is the last step: the workload changed nothing after it");
        Cli info = Cli.run("info", "--state-dir", state.toString());
        assertEquals(0, info.exitCode(), info.printed());
        assertTrue(info.out().contains("exit code unknown, recovered: ended when the recorder was killed"),
                "the interrupted recording was finished, and says how it ended: " + info.printed());
    }

    /** Waits until some file of the state dir holds {@code marker}; fails if the recorder exits first. */
    private void awaitJournaled(Path state, byte[] marker, Path log) throws Exception {
        while (!(Files.isDirectory(state) && anyFileContains(state, marker))) {
            if (!recorder.isAlive()) {
                fail("the recorder exited (" + recorder.exitValue() + ") before the workload's marker was journaled: "
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    private static boolean anyFileContains(Path dir, byte[] needle) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(f);
                } catch (IOException e) {
                    continue; // a file RocksDB removed meanwhile
                }
                if (indexOf(bytes, needle) >= 0) {
                    return true;
                }
            }
        } catch (java.io.UncheckedIOException e) {
            return false; // the tree changed under the walk; look again
        }
        return false;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
