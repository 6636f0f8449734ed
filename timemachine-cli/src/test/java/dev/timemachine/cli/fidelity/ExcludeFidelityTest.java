package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.core.TimeMachine;
import dev.timemachine.core.StoreTesting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --exclude} keeps matching paths out of the recording entirely (docs/architecture.md §9): they never appear in an
 * export, and their bytes are nowhere in the state dir, neither in its files on disk nor in any stored key or
 * value. A recorded file holding a marker of the same shape shows that the search would find one.
 */
class ExcludeFidelityTest {

    @TempDir
    Path tmp;

    @Test
    void excludedPathsAndTheirBytesNeverEnterTheRecording() throws IOException {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path state = tmp.resolve("state");
        Path manifest = tmp.resolve("manifest.txt");
        String secret = marker();
        String visible = marker();
        Path markers = Files.writeString(tmp.resolve("markers"), secret + "\n" + visible + "\n");

        Cli recorded = Workload.record(state, root, List.of("--exclude", "*.key", "--exclude", "cache"), "exclude",
                manifest, markers.toString());
        Workload.assertRecorded(recorded);

        for (TreeManifest.Step step : Workload.steps(manifest, 2)) {
            Path out = tmp.resolve("export-" + step.index());
            Workload.assertExportMatches(state, step, out, recorded.err());
            try (Stream<Path> all = Files.walk(out)) {
                List<String> leaked = all.map(p -> out.relativize(p).toString())
                        .filter(p -> p.endsWith(".key") || p.startsWith("cache")).toList();
                assertEquals(List.of(), leaked, "excluded paths in the export at " + step);
            }
        }

        byte[] secretBytes = secret.getBytes(StandardCharsets.US_ASCII);
        byte[] visibleBytes = visible.getBytes(StandardCharsets.US_ASCII);
        List<Path> files = stateFiles(state);
        assertTrue(files.stream().anyMatch(f -> contains(read(f), visibleBytes)),
                "the recorded marker is found in the state dir's files, so the search below can find a marker: " + files);
        for (Path f : files) {
            assertFalse(contains(read(f), secretBytes), "bytes of an excluded file are in " + f);
        }
        try (TimeMachine st = TimeMachine.open(state, TimeMachine.Options.defaults().withFinishInterrupted(false))) {
            KeyValueStore kv = StoreTesting.keyValueStore(st);
            assertTrue(anyEntryContains(kv, visibleBytes), "the recorded marker is found through the store");
            assertFalse(anyEntryContains(kv, secretBytes), "bytes of an excluded file are stored");
            assertFalse(anyEntryContains(kv, ".key".getBytes(StandardCharsets.US_ASCII)), "the name of an excluded file is stored");
            assertFalse(anyEntryContains(kv, "/cache".getBytes(StandardCharsets.US_ASCII)), "an excluded directory is stored");
        }
    }

    /** 40 random letters and digits: nothing else in a state dir holds them, and they do not compress. */
    private static String marker() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom r = new SecureRandom();
        StringBuilder s = new StringBuilder("tm-marker-");
        for (int i = 0; i < 40; i++) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static List<Path> stateFiles(Path state) throws IOException {
        try (Stream<Path> all = Files.walk(state)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean anyEntryContains(KeyValueStore kv, byte[] needle) {
        for (Keyspace ks : Keyspace.values()) {
            try (KvCursor c = kv.scan(ks, null, null)) {
                while (c.next()) {
                    if (contains(c.key(), needle) || contains(c.value(), needle)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
