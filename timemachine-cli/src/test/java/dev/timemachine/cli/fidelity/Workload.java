package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The scenarios of {@code fidelity/workload.py}, recorded with {@code timemachine record} and checked with
 * {@code timemachine export} against the manifests the workload wrote (the oracle of docs/architecture.md §2).
 */
public final class Workload {
    /** Why tests that record are skipped when not root. */
    public static final String NEEDS_ROOT = "recording loads the eBPF capture, which needs root (CI runs as root)";

    private Workload() {
    }

    public static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The workload script, on the test class path. */
    public static Path script() {
        try {
            return Path.of(Workload.class.getResource("/fidelity/workload.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The command line that runs {@code scenario} under {@code root}, writing its manifest to {@code manifest}. */
    public static List<String> command(String scenario, Path root, Path manifest, String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3", script().toString(), scenario, root.toString(), manifest.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Records {@code scenario} in this JVM: {@code record --state-dir STATE --path ROOT [options] -- python3 ...}. */
    public static Cli record(Path state, Path root, List<String> options, String scenario, Path manifest, String... args) {
        List<String> argv = new ArrayList<>(List.of("record", "--state-dir", state.toString(), "--path", root.toString()));
        argv.addAll(options);
        argv.add("--");
        argv.addAll(command(scenario, root, manifest, args));
        return Cli.run(argv.toArray(String[]::new));
    }

    /**
     * Exports the tree at the step's instant into {@code out} and asserts it equals the step's tree exactly;
     * a step that names a SQLite database also has the exported database opened and its rows counted.
     */
    public static Cli assertExportMatches(Path state, TreeManifest.Step step, Path out, String recordOutput) throws IOException {
        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "@" + step.timeNs(), "--out", out.toString());
        String context = "record said: " + recordOutput + "\nexport " + r.printed();
        assertEquals(0, r.exitCode(), context);
        TreeManifest.assertTreeEquals(step, out, context);
        String db = step.extra().get("db");
        if (db != null) {
            assertEquals("ok " + step.extra().get("rows"), sqliteCheck(out.resolve(db)),
                    "the exported database at step " + step + " opens, is intact and holds that instant's rows");
        }
        return r;
    }

    /** A check of one step, given where to export it. */
    @FunctionalInterface
    public interface StepCheck {
        void check(TreeManifest.Step step, Path out) throws Exception;
    }

    /** One test per step, each running {@code check} with an export dir under {@code tmp}, deleted after it. */
    public static Stream<DynamicTest> eachStep(List<TreeManifest.Step> steps, Path tmp, StepCheck check) {
        return steps.stream().map(step -> DynamicTest.dynamicTest(step.toString(), () -> {
            Path out = tmp.resolve("export-" + step.index());
            try {
                check.check(step, out);
            } finally {
                deleteTree(out);
            }
        }));
    }

    /** Exports at the step: the tree is the step's, and export calls nothing approximate. */
    public static void assertExportExact(Path state, TreeManifest.Step step, Path out, String recordOutput)
            throws IOException {
        Cli r = assertExportMatches(state, step, out, recordOutput);
        assertTrue(!r.out().contains("approximate"), "nothing approximate at " + step + ": " + r.printed());
    }

    /**
     * Exports at the step and compares the tree with it, except the files export lists as approximate: those must
     * be among {@code mayBeApproximate} and be there, with their type.
     */
    public static void assertExportMatchesOrSaysApproximate(Path state, Path root, TreeManifest.Step step, Path out,
                                                            Set<String> mayBeApproximate) throws IOException {
        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "@" + step.timeNs(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.printed());
        Map<String, String> expected = new TreeMap<>(step.entries());
        Map<String, String> got = new TreeMap<>(TreeManifest.of(out));
        String prefix = "  " + root + "/";
        for (String a : r.out().lines().filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length(), l.indexOf(": ", prefix.length()))).toList()) {
            assertTrue(mayBeApproximate.contains(a), a + " must not be approximate at " + step + ": " + r.printed());
            if (expected.containsKey(a) && got.containsKey(a)) {
                expected.put(a, expected.get(a).substring(0, 1));
                got.put(a, got.get(a).substring(0, 1));
            }
        }
        assertEquals(expected, got, "at " + step + "\n" + r.printed());
    }

    /** {@code "<integrity_check> <rows of t>"} of a SQLite database, opened read-only by python's sqlite3. */
    public static String sqliteCheck(Path db) {
        return run(List.of("python3", "-c", "import sqlite3, sys\n"
                + "c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\n"
                + "print(c.execute('PRAGMA integrity_check').fetchone()[0], c.execute('SELECT count(*) FROM t').fetchone()[0])\n",
                db.toString())).strip();
    }

    /** Runs a helper command to completion and returns its standard output; fails on a non-zero exit. */
    public static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish");
            }
            assertEquals(0, p.exitValue(), cmd + " printed: " + out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Deletes a tree without following symlinks, making read-only directories writable first. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                Files.setAttribute(d, "unix:mode", 0700);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Asserts that recording finished as a clean run of the workload. */
    public static void assertRecorded(Cli r) {
        assertEquals(0, r.exitCode(), r.printed());
        assertTrue(r.err().contains("timemachine: recorded"), r.printed());
    }

    /** The steps a workload wrote, at least {@code atLeast} of them (fewer means it stopped early). */
    public static List<TreeManifest.Step> steps(Path manifest, int atLeast) throws IOException {
        List<TreeManifest.Step> steps = TreeManifest.read(manifest);
        assertTrue(steps.size() >= atLeast, "the workload wrote " + steps.size() + " steps: " + steps);
        return steps;
    }
}
