package dev.timemachine.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts the {@code main} of a class in a JVM of its own, on this test's class path: a second process. */
final class ForkedJvm {
    private ForkedJvm() {
    }

    static Process start(Class<?> main, Path stderr, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    }
}
