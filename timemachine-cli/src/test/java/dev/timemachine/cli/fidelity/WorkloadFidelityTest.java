package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fidelity contract of docs/architecture.md §3 checked by the oracle of §2: {@code workload.py main} changes a tree
 * that existed before {@code record} in every way the contract names (in-place edits of a large file,
 * appends, atomic saves, truncate/extend/sparse/fallocate, directory create/rename/delete, modes, symlinks,
 * hard links, several processes at once, a SQLite database in transactions), reading CLOCK_MONOTONIC after
 * each step. {@code export --time @t} at every step must give exactly the tree of that step, and the latest
 * export the real tree.
 */
class WorkloadFidelityTest {
    private static final long MIB = 1 << 20;

    @TempDir
    static Path tmp;
    static Path root;
    static Path state;
    static Path manifest;
    static Cli recorded;
    static SortedMap<String, String> before;

    @BeforeAll
    static void recordTheWorkload() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        root = Files.createDirectory(tmp.resolve("root"));
        state = tmp.resolve("state");
        manifest = tmp.resolve("manifest.txt");
        populate(root);
        before = TreeManifest.of(root);
        recorded = Workload.record(state, root, List.of(), "main", manifest);
        Workload.assertRecorded(recorded);
    }

    /** The tree as it is before recording: some of it stays untouched, some is edited, moved or deleted. */
    private static void populate(Path r) throws IOException {
        Random random = new Random(42);
        Files.createDirectories(r.resolve("keep/empty"));
        Files.createDirectories(r.resolve("olddir/sub"));
        Files.write(r.resolve("big.dat"), bytes(random, (int) (6 * MIB)));
        Files.write(r.resolve("keep/edit-me.bin"), bytes(random, 256 * 1024));
        Files.write(r.resolve("keep/untouched.txt"), bytes(random, 10_000));
        Files.write(r.resolve("keep/untouched-mode.txt"), "mode changes only\n".getBytes());
        Files.write(r.resolve("keep/deleted-later.txt"), "deleted during the run\n".getBytes());
        Files.write(r.resolve("keep/never-touched.bin"), bytes(random, 70_000));
        Files.setPosixFilePermissions(r.resolve("keep/never-touched.bin"), PosixFilePermissions.fromString("rw-r-----"));
        Files.write(r.resolve("log.txt"), "first line, before recording\n".getBytes());
        Files.write(r.resolve("olddir/b.txt"), "b\n".getBytes());
        Files.write(r.resolve("olddir/sub/a.txt"), bytes(random, 5000));
        Files.write(r.resolve("script.sh"), "#!/bin/sh\necho hi\n".getBytes());
        Files.setPosixFilePermissions(r.resolve("script.sh"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(r.resolve("pre-symlink"), Path.of("keep/untouched.txt"));
        Files.write(r.resolve("pre-link-a.txt"), "a pre-existing file with two names\n".getBytes());
        Files.createLink(r.resolve("pre-link-b.txt"), r.resolve("pre-link-a.txt"));
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @TestFactory
    Stream<DynamicTest> exportAtEveryStepEqualsTheTreeOfThatStep() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 43);
        return Workload.eachStep(steps, tmp, (step, out) -> {
            Workload.assertExportMatches(state, step, out, recorded.err());
        });
    }

    @Test
    void theFirstStepIsTheTreeAsItWasBeforeRecording() throws IOException {
        assertEquals(before, Workload.steps(manifest, 1).get(0).entries(),
                "the oracle itself: the workload's first manifest lists the tree populated before recording");
    }

    @Test
    void everyStepChangesTheTree() throws IOException {
        List<TreeManifest.Step> steps = Workload.steps(manifest, 43);
        // the last step, "final", only marks the end
        for (int i = 1; i < steps.size() - 1; i++) {
            assertNotEquals(steps.get(i - 1).entries(), steps.get(i).entries(),
                    "step " + steps.get(i) + " must change the tree, or exporting at it proves nothing");
        }
    }

    @Test
    void latestEqualsTheRealTreeAfterTheRun() throws IOException {
        Path out = tmp.resolve("export-latest");
        Cli r = Cli.run("export", "--state-dir", state.toString(), "--time", "latest", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.printed());
        assertEquals(TreeManifest.of(root), TreeManifest.of(out), "latest export vs the real tree\n" + r.printed());
        assertArrayEquals(Files.readAllBytes(root.resolve("keep/never-touched.bin")),
                Files.readAllBytes(out.resolve("keep/never-touched.bin")), "a file untouched since before recording");
        Workload.deleteTree(out);
    }
}
