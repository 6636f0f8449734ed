package dev.timemachine.cli.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.cli.fidelity.TreeManifest;
import dev.timemachine.core.RecordingBuilder;
import dev.timemachine.core.TimeMachine;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every data file of a state dir of each engine, damaged in each way disks and people damage files (a byte flipped
 * in the middle, cut to half, deleted, a 4 KiB page zeroed), then {@code verify} and {@code export} in a JVM of their
 * own: each ends in a clear error (exit 1 or 2, one line, no stack trace) or a correct result (exit 0 and the
 * tree the undamaged state dir exports), never a crash (a signal, an hs_err file) and never a silent loss.
 */
class DamagedFilesTest {
    private static final long S = 1_000_000_000L;
    private static final long START = 3_000 * S;
    private static final long WALL = Instant.parse("2026-11-25T17:00:00Z").getEpochSecond() * S;

    @TempDir
    static Path tmp;

    private enum Damage { FLIP, HALVE, DELETE, ZERO_PAGE }

    @TestFactory
    Stream<DynamicTest> everyDamagedFileIsAnErrorOrACorrectResult() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (String engine : List.of("rocks", "lmdb")) {
            Path pristine = stateDir(engine);
            Path good = tmp.resolve(engine + "-good");
            assertEquals(0, run(pristine, "export", "--time", "latest", "--out", good.toString()).code);
            var expected = TreeManifest.of(good);
            List<Path> files;
            try (Stream<Path> all = Files.walk(pristine)) {
                files = all.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("LOG"))
                        .filter(p -> !p.getFileName().toString().equals("LOCK") && !p.getFileName().toString().equals("lock"))
                        .sorted().toList();
            }
            assertTrue(files.size() >= 3, engine + " files: " + files);
            for (Path file : files) {
                for (Damage damage : Damage.values()) {
                    String name = engine + " " + pristine.relativize(file) + " " + damage;
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        Path copy = tmp.resolve(name.replaceAll("[^A-Za-z0-9]+", "-"));
                        copyTree(pristine, copy);
                        damage(copy.resolve(pristine.relativize(file)), damage);
                        Result verify = run(copy, "verify");
                        assertCleanEnd(verify, name + ": verify");
                        Path out = copy.resolveSibling(copy.getFileName() + "-out");
                        Result export = run(copy, "export", "--time", "latest", "--out", out.toString());
                        assertCleanEnd(export, name + ": export");
                        if (export.code == 0 && !export.text.contains("approximate")) {
                            assertEquals(expected, TreeManifest.of(out), name + ": an export that succeeds is right\n"
                                    + export.text);
                        }
                    }));
                }
            }
        }
        return tests.stream();
    }

    private static void assertCleanEnd(Result r, String what) {
        assertTrue(r.code == 0 || r.code == 1 || r.code == 2, what + " ended with " + r.code + ":\n" + r.text);
        assertFalse(r.text.contains("\tat ") || r.text.contains("hs_err") || r.text.contains("SIGBUS")
                || r.text.contains("SIGSEGV"), what + " crashed or printed a stack trace:\n" + r.text);
    }

    private static Path stateDir(String engine) {
        Path state = tmp.resolve(engine + "-pristine");
        byte[] big = new byte[300_000];
        new Random(3).nextBytes(big);
        try (TimeMachine tm = TimeMachine.create(state, TimeMachine.Options.defaults().withEngine(engine))) {
            RecordingBuilder rec = RecordingBuilder.create(tm.store(), START, WALL, START + 10 * S, "/w").dir("/w", START, 0755);
            for (int i = 0; i < 200; i++) {
                rec.file("/w/f" + i + ".txt", START + S + i, 0644, "file " + i + "\n");
            }
            rec.file("/w/big.bin", START + 2 * S, 0600, big).flush();
        }
        return state;
    }

    private static void damage(Path file, Damage damage) throws IOException {
        long size = Files.size(file);
        switch (damage) {
            case DELETE -> Files.delete(file);
            case HALVE -> {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                    f.setLength(size / 2);
                }
            }
            case FLIP -> {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                    if (size > 0) {
                        f.seek(size / 2);
                        int b = f.read();
                        f.seek(size / 2);
                        f.write(b ^ 0x5a);
                    }
                }
            }
            case ZERO_PAGE -> {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                    long page = (size / 2) / 4096 * 4096;
                    f.seek(page);
                    f.write(new byte[(int) Math.min(4096, Math.max(0, size - page))]);
                }
            }
        }
    }

    private record Result(int code, String text) {
    }

    /** The CLI in a JVM of its own (a crash must not take the test with it), on a copy of the state dir. */
    private static Result run(Path state, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--state-dir");
        all.add(2, state.toString());
        Path log = Files.createTempFile(tmp, "cli", ".log");
        Process p = ChildRecorder.start(log, all);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.sorted(Comparator.naturalOrder()).toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
    }
}
