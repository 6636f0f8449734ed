package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Test fixture: one started eBPF source shared by the tests of this JVM (loading costs a few hundred ms),
 * and a way to run a command that is held on a pipe until it is tracked.
 */
final class Capture {
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static EbpfEventSource shared;
    private static String unavailable;

    private Capture() {
    }

    /** The shared started source; skips the calling test, saying why, where eBPF capture cannot run. */
    static synchronized EbpfEventSource source() {
        if (shared == null && unavailable == null) {
            EbpfEventSource s = new EbpfEventSource(EbpfConfig.DEFAULT);
            if (s.isAvailable()) {
                s.start();
                shared = s;
            } else {
                unavailable = s.unavailabilityCause();
                s.close();
            }
        }
        assumeTrue(shared != null, () -> "eBPF capture unavailable: " + unavailable);
        return shared;
    }

    /** The result of one recorded run. */
    record Run(int exitCode, List<FsEvent> events, long startNs, long endNs, int pid) {
        /** Events of the given kinds, in arrival order. */
        List<FsEvent> of(Op... ops) {
            List<Op> wanted = List.of(ops);
            return events.stream().filter(e -> wanted.contains(e.op())).collect(Collectors.toList());
        }

        /** Events whose path (or second path) lies under {@code dir}. */
        List<FsEvent> under(Path dir) {
            byte[] prefix = (dir.toString() + "/").getBytes(StandardCharsets.UTF_8);
            return events.stream().filter(e -> startsWith(e.path(), prefix) || startsWith(e.path2(), prefix))
                    .collect(Collectors.toList());
        }
    }

    /** Runs {@code sh -c script} in {@code dir}, tracked from its first instruction. */
    static Run sh(Path dir, String script) throws Exception {
        return run(dir, Map.of(), "sh", "-c", script);
    }

    /** Runs a python3 program in {@code dir}, tracked from its first instruction. */
    static Run python(Path dir, String program) throws Exception {
        return run(dir, Map.of(), PYTHON, "-c", program);
    }

    /**
     * Starts {@code cmd} blocked on a pipe, tracks its pid, lets it run, waits for it and collects every
     * event the source delivers. Once it has exited, all of its records are in the ring buffer.
     */
    static Run run(Path dir, Map<String, String> env, String... cmd) throws Exception {
        EbpfEventSource source = source();
        List<FsEvent> stray = new ArrayList<>();
        while (source.poll(stray::add, Duration.ZERO) > 0) {
            // leftovers of an earlier test that gave up early must not count here
        }
        List<String> argv = new ArrayList<>(List.of("sh", "-c", "read _ && exec \"$@\"", "sh"));
        argv.addAll(List.of(cmd));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        Process p = pb.start();
        source.track((int) p.pid());
        long start = System.nanoTime();
        try (OutputStream release = p.getOutputStream()) {
            release.write('\n');
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("command did not finish in 120 s: " + argv);
        }
        long end = System.nanoTime();
        List<FsEvent> events = new ArrayList<>();
        while (source.poll(events::add, Duration.ZERO) > 0) {
            // drain everything: the process has exited, so nothing of it is still in flight
        }
        return new Run(p.exitValue(), events, start, end, (int) p.pid());
    }

    static void assertSuccess(Run run) {
        assertEquals(0, run.exitCode(), "command failed");
    }

    static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static boolean startsWith(byte[] b, byte[] prefix) {
        if (b == null || b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** A fresh directory for one test, with its real path (the capture reports resolved paths). */
    static Path tempDir(String name) throws IOException {
        return Files.createTempDirectory("tm-ebpf-" + name).toRealPath();
    }

    /**
     * One line per event under {@code dir}, paths relative to it, for exact assertions:
     * {@code WRITE f @5 "ab" +more}, {@code CREATE f mode=640}, {@code RENAME a -> b noreplace}.
     */
    static List<String> describe(Run run, Path dir) {
        List<String> out = new ArrayList<>();
        for (FsEvent e : run.under(dir)) {
            StringBuilder b = new StringBuilder(e.op().name()).append(' ').append(rel(dir, e.path()));
            if (e.path2() != null) {
                b.append(" -> ").append(e.op() == Op.SYMLINK ? str(e.path2()) : rel(dir, e.path2()));
            }
            switch (e.op()) {
                case WRITE -> b.append(" @").append(e.offset()).append(" \"").append(str(e.payload())).append('"');
                case TRUNCATE -> b.append(" len=").append(e.length());
                case FALLOCATE, REREAD -> b.append(" @").append(e.offset()).append(" len=").append(e.length());
                case COPY -> b.append(" @").append(e.offset()).append(" from=").append(e.sourceOffset()).append(" len=")
                        .append(e.length());
                case CREATE, MKDIR, CHMOD -> b.append(" mode=").append(Integer.toOctalString(e.mode()));
                default -> {
                }
            }
            appendFlag(b, e, FsEvent.FLAG_APPEND, "append");
            appendFlag(b, e, FsEvent.FLAG_APPROXIMATE, "approx");
            appendFlag(b, e, FsEvent.FLAG_NOREPLACE, "noreplace");
            appendFlag(b, e, FsEvent.FLAG_DIRECTORY, "dir");
            appendFlag(b, e, FsEvent.FLAG_CHUNK_MORE, "more");
            appendFlag(b, e, FsEvent.FLAG_SYNCED, "synced");
            out.add(b.toString());
        }
        return out;
    }

    private static void appendFlag(StringBuilder b, FsEvent e, int flag, String name) {
        if (e.has(flag)) {
            b.append(" +").append(name);
        }
    }

    private static String rel(Path dir, byte[] path) {
        String p = str(path);
        String prefix = dir + "/";
        return p.startsWith(prefix) ? p.substring(prefix.length()) : p;
    }
}
