package dev.timemachine.store.rocks;

import static dev.timemachine.store.rocks.RocksStoreTesting.b;
import static dev.timemachine.store.rocks.RocksStoreTesting.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged write-ahead log: a store copied while open (what a killed recorder leaves: everything in the log) with
 * a byte flipped in the middle of its log must fail to open, naming the damage, and be left as it was; one whose
 * log was cut short (a crash mid-write) opens with what precedes the cut. A store closed cleanly no longer needs
 * its log at all.
 */
class RocksWalDamageTest {
    private static final int BATCHES = 2_000;

    @TempDir
    Path tmp;

    /** A store of {@code BATCHES} committed batches, copied while still open: a crash's state dir. */
    private Path crashed() throws IOException {
        Path live = tmp.resolve("live");
        Path copy = tmp.resolve("crashed");
        try (KeyValueStore store = open(live)) {
            write(store);
            store.sync();
            copyTree(live, copy);
        }
        Files.deleteIfExists(copy.resolve("LOCK"));
        return copy;
    }

    private static void write(KeyValueStore store) {
        for (int i = 0; i < BATCHES; i++) {
            try (KvBatch batch = store.batch()) {
                batch.put(Keyspace.JOURNAL, b(String.format("k%06d", i)), new byte[200]);
                batch.commit();
            }
        }
    }

    private static Path log(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
        }
    }

    @Test
    void aFlippedByteInTheLogFailsTheOpenAndChangesNothing() throws Exception {
        Path dir = crashed();
        Path log = log(dir);
        assertTrue(Files.size(log) > 300_000, "the batches are in the log: " + Files.size(log));
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
            f.seek(Files.size(log) / 2);
            int x = f.read();
            f.seek(Files.size(log) / 2);
            f.write(x ^ 0xff);
        }
        Map<String, String> before = digests(dir);
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> open(dir));
        assertTrue(e.getMessage().contains("damaged") && e.getMessage().contains(log.getFileName().toString()),
                e.getMessage());
        assertEquals(before, digests(dir), "a damaged store is not rewritten");
        CorruptDataException readOnly = assertThrows(CorruptDataException.class,
                () -> new RocksStorageEngine().openReadOnly(dir, Map.of()));
        assertTrue(readOnly.getMessage().contains("damaged"), readOnly.getMessage());
    }

    @Test
    void aLogCutShortOpensWithWhatPrecedesTheCut() throws Exception {
        Path dir = crashed();
        Path log = log(dir);
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
            f.setLength(Files.size(log) / 2 + 7); // mid-record, as a crash mid-write leaves it
        }
        try (KeyValueStore store = open(dir)) {
            assertNotNull(store.get(Keyspace.JOURNAL, b("k000000")));
            assertTrue(store.get(Keyspace.JOURNAL, b(String.format("k%06d", BATCHES - 1))) == null, "the tail is gone");
        }
    }

    @Test
    void aStoreClosedCleanlyDoesNotNeedItsLog() throws Exception {
        Path dir = tmp.resolve("closed");
        try (KeyValueStore store = open(dir)) {
            write(store);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.write(f, new byte[(int) Files.size(f)]); // zeros: nothing in it is readable
            }
        }
        try (KeyValueStore store = open(dir)) {
            for (int i = 0; i < BATCHES; i += 97) {
                assertNotNull(store.get(Keyspace.JOURNAL, b(String.format("k%06d", i))), "batch " + i);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    /** Every file's digest but RocksDB's info LOG and its empty LOCK file, which any open writes. */
    private static Map<String, String> digests(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> !p.getFileName().toString().startsWith("LOG") && !p.endsWith("LOCK")).toList()) {
                out.put(f.getFileName().toString(), HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return out;
    }
}
