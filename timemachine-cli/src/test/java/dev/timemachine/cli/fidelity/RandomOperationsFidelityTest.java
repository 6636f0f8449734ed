package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random operations on four files ({@code exerciser.c}): write, pwrite, ftruncate, every fallocate
 * mode, copy_file_range within and across files, sendfile (overlapping within one file too), a reflink where the
 * file system has them, rename and unlink, for a few seeds. After every batch of 400 the exerciser reads
 * CLOCK_MONOTONIC and copies the files outside the root; the export at each of those instants must equal that
 * copy byte for byte, with nothing approximate.
 */
class RandomOperationsFidelityTest {
    private static final int BATCHES = 12;
    private static final int OPS = 400;

    @TempDir
    static Path tmp;
    static Path exerciser;

    @BeforeAll
    static void build() throws IOException, URISyntaxException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        exerciser = tmp.resolve("exerciser");
        Path source = Path.of(RandomOperationsFidelityTest.class.getResource("/fidelity/exerciser.c").toURI());
        Workload.run(List.of("gcc", "-O2", "-o", exerciser.toString(), source.toString()));
    }

    @TestFactory
    Stream<DynamicTest> everyBatchExportsExactly() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (int seed = 1; seed <= 3; seed++) {
            Path dir = Files.createDirectory(tmp.resolve("seed-" + seed));
            Path root = Files.createDirectory(dir.resolve("root"));
            Path snapshots = Files.createDirectory(dir.resolve("snapshots"));
            Path state = dir.resolve("state");
            Path batches = dir.resolve("batches.txt");
            Cli recorded = Cli.run("record", "--state-dir", state.toString(), "--path", root.toString(), "--", "sh", "-c",
                    "\"$0\" \"$1\" \"$2\" \"$3\" \"$4\" \"$5\" > \"$6\"", exerciser.toString(), root.toString(),
                    snapshots.toString(), String.valueOf(seed), String.valueOf(BATCHES), String.valueOf(OPS),
                    batches.toString());
            Workload.assertRecorded(recorded);
            List<String> lines = Files.readAllLines(batches);
            assertEquals(BATCHES + 1, lines.size(), "the exerciser ran to its end: " + lines);
            for (String line : lines) {
                String[] f = line.split(" ");
                String label = "seed " + seed + ", batch " + f[1];
                tests.add(DynamicTest.dynamicTest(label, () -> {
                    Path out = dir.resolve("export-" + f[1]);
                    try {
                        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "@" + f[2], "--out",
                                out.toString());
                        assertEquals(0, r.exitCode(), r.printed());
                        assertFalse(r.out().contains("approximate"), label + ": " + r.printed());
                        assertEquals(TreeManifest.of(snapshots.resolve(f[1])), TreeManifest.of(out), label);
                    } finally {
                        Workload.deleteTree(out);
                    }
                }));
            }
        }
        return tests.stream();
    }
}
