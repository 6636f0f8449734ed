package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JffiStubTest {

    @TempDir
    Path tmp;

    /** Two fresh JVMs map jffi's stub from the per-user cache, and the second did not write it again. */
    @Test
    void theStubIsLoadedFromTheCacheAndExtractedOnce() throws Exception {
        assumeTrue(JffiStub.platform() != null, "jffi's stub is cached only on x86_64 and aarch64 Linux");
        Path xdg = Files.createDirectories(tmp.resolve("xdg"));
        String first = probe(xdg);
        assertTrue(first.startsWith(xdg.toRealPath().resolve("timemachine") + "/jffi-"), first);
        Object inode = Files.readAttributes(Path.of(first), BasicFileAttributes.class).fileKey();

        assertEquals(first, probe(xdg));
        assertEquals(inode, Files.readAttributes(Path.of(first), BasicFileAttributes.class).fileKey());
    }

    /** Runs {@link Probe} in a new JVM with XDG_CACHE_HOME set; returns the file jffi's stub is mapped from. */
    private static String probe(Path xdg) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName());
        pb.environment().put("XDG_CACHE_HOME", xdg.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Loads the capture's native libraries as the source does and prints where jffi's stub is mapped from. */
    static final class Probe {
        public static void main(String[] args) throws IOException {
            NativeLibraries lib = NativeLibraries.get();
            if (lib.libc == null) {
                throw new IllegalStateException("libc did not load: " + lib.loadFailure());
            }
            lib.libc.geteuid(); // a native call: the stub works
            try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
                System.out.println(lines.filter(l -> l.contains("libjffi")).map(l -> l.substring(l.indexOf('/')))
                        .findFirst().orElse("libjffi is not mapped"));
            }
        }
    }
}
