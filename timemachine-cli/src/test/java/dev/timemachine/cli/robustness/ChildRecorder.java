package dev.timemachine.cli.robustness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@code timemachine} in a JVM of its own, so a test can SIGKILL it. The child runs the CLI's main
 * class on this test JVM's class path (always the code under test, with no need for the packaged jar, which
 * {@code mvn verify} builds only after the tests), with the JVM flags the jar's manifest would give it.
 */
final class ChildRecorder {
    private ChildRecorder() {
    }

    static Process start(Path log, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java,
                "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.timemachine.cli.Main"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
