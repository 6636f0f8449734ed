package dev.timemachine.cli.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.timemachine.cli.fidelity.Cli;
import dev.timemachine.cli.fidelity.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GitHub Action's script ({@code action/run.sh}, issue 4 item 8) run the way {@code action.yml} runs it,
 * with its inputs as environment variables and no GITHUB_* variables at all: it passes the command's exit code
 * through and leaves a readable state dir behind, on success and on failure. The script's {@code timemachine}
 * is this build's CLI (TIMEMACHINE_BIN), so the test needs neither the packaged jar nor Maven.
 */
class ActionScriptTest {

    @TempDir
    Path tmp;
    Path root;
    Path timemachine;

    @BeforeEach
    void cliOfThisBuild() throws IOException {
        root = Files.createDirectory(tmp.resolve("work"));
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        timemachine = tmp.resolve("timemachine");
        Files.writeString(timemachine, "#!/bin/sh\nexec '" + java + "' --add-opens java.base/java.nio=ALL-UNNAMED"
                + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED -cp '" + System.getProperty("java.class.path")
                + "' dev.timemachine.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(timemachine, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Path script() {
        // timemachine-cli/target/test-classes/fidelity/workload.py -> the repository root
        Path repo = Workload.script().getParent().getParent().getParent().getParent().getParent();
        Path script = repo.resolve("action/run.sh");
        assertTrue(Files.isRegularFile(script), "action/run.sh at " + script);
        return script;
    }

    private record Run(int exitCode, String output) {
    }

    /** Runs the script in {@code root} with exactly {@code env} (plus PATH and HOME): no GITHUB_* variables. */
    private Run run(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", script().toString()).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("HOME", System.getProperty("user.home"));
        pb.environment().put("TIMEMACHINE_BIN", timemachine.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "run.sh finished: " + out);
        return new Run(p.exitValue(), out);
    }

    private static String exported(Path state, Path out, String file) throws IOException {
        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.printed());
        Path f = out.resolve(file);
        return Files.exists(f) ? Files.readString(f) : null;
    }

    @Test
    void aPassingCommandExitsZeroAndWritesItsOutputs() throws Exception {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path state = tmp.resolve("state");
        Path outputs = tmp.resolve("github-output");
        Run r = run(Map.of("INPUT_COMMAND", "echo v1 > note.txt\necho v2 >> note.txt", "INPUT_PATH", root.toString(),
                "INPUT_STATE_DIR", state.toString(), "GITHUB_OUTPUT", outputs.toString()));
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(List.of("exit-code=0", "state-dir=" + state, "report=" + state + ".report.html"), Files.readAllLines(outputs));
        assertEquals("v1\nv2\n", exported(state, tmp.resolve("out"), "note.txt"));
    }

    /**
     * A failing job's summary: the command, its exit code, counts, the most-changed path, and the two commands
     * that fetch the artifact and export the tree as it was at the failure, which work; the report beside the
     * state dir holds the recording.
     */
    @Test
    void aFailingJobGetsASummaryAndAReport() throws Exception {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path state = tmp.resolve("state");
        Path summary = tmp.resolve("step-summary.md");
        Run r = run(Map.of("INPUT_COMMAND", "for i in 1 2 3; do echo $i >> busy.txt; done\necho once > once.txt\nexit 3",
                "INPUT_PATH", root.toString(), "INPUT_STATE_DIR", state.toString(), "GITHUB_STEP_SUMMARY", summary.toString(),
                "INPUT_ARTIFACT_NAME", "timemachine-test-1", "GITHUB_RUN_ID", "42", "GITHUB_REPOSITORY", "o/r"));
        assertEquals(3, r.exitCode(), r.output());
        String md = Files.readString(summary);
        assertTrue(md.contains("### Time Machine: `bash --noprofile --norc -eo pipefail -c"), md);
        assertTrue(md.contains("| 3 | "), "the exit code: " + md);
        assertTrue(md.contains("| 0 | 0 |\n"), "no drops, nothing approximate: " + md);
        String busiest = md.lines().filter(l -> l.startsWith("| `")).findFirst().orElseThrow();
        assertTrue(busiest.startsWith("| `" + root.resolve("busy.txt") + "` | "), "the most-changed path first: " + md);
        assertTrue(md.contains("gh run download 42 --repo o/r --name 'timemachine-test-1' --dir ./recording"), md);
        String export = md.lines().filter(l -> l.startsWith("timemachine export ")).findFirst().orElseThrow();
        assertEquals("timemachine export --state-dir ./recording/state --time latest --out ./at-exit", export);
        // the summary's export, on the state dir as the download lays it out
        assertEquals("1\n2\n3\n", exported(state, tmp.resolve("at-exit"), "busy.txt"));

        Path report = tmp.resolve("state.report.html");
        String html = Files.readString(report);
        assertTrue(html.contains("\"command\":\"bash --noprofile --norc -eo pipefail -c"), "the report holds the recording");
        assertTrue(html.contains(root.resolve("once.txt").toString()), "and its files");
    }

    @Test
    void aFailingCommandPassesItsExitCodeThroughAndKeepsTheRecording() throws Exception {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path state = tmp.resolve("state");
        Run r = run(Map.of("INPUT_COMMAND", "echo partial > partial.txt\n(exit 7)\necho never > never.txt",
                "INPUT_PATH", root.toString(), "INPUT_STATE_DIR", state.toString()));
        assertEquals(7, r.exitCode(), "the command's own code, and -e stopped it at the failure: " + r.output());
        assertTrue(r.output().contains("exited with 7"), r.output());
        assertFalse(Files.exists(root.resolve("never.txt")));
        assertTrue(Files.isDirectory(state), "the state dir is there to upload");
        assertEquals("partial\n", exported(state, tmp.resolve("out"), "partial.txt"));
    }

    @Test
    void defaultsAreTheCurrentDirectoryAndRunnerTemp() throws Exception {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path runnerTemp = Files.createDirectory(tmp.resolve("runner-temp"));
        Run r = run(Map.of("INPUT_COMMAND", "printf 'x' > x.txt\nfalse | true\necho never > never.txt", "RUNNER_TEMP", runnerTemp.toString()));
        assertEquals(1, r.exitCode(), "pipefail: a pipeline with a failing part fails the command: " + r.output());
        assertFalse(Files.exists(root.resolve("never.txt")), r.output());
        Path state = runnerTemp.resolve("timemachine");
        assertTrue(Files.isDirectory(state), "default state dir $RUNNER_TEMP/timemachine: " + r.output());
        assertEquals("x", exported(state, tmp.resolve("out"), "x.txt"), "the current directory was recorded");
    }

    @Test
    void aMissingCommandIsAUsageError() throws Exception {
        Run r = run(Map.of());
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("'command' input is required"), r.output());
    }
}
