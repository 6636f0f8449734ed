package dev.timemachine.cli.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.cli.fidelity.Cli;
import dev.timemachine.core.RecordingBuilder;
import dev.timemachine.core.TimeMachine;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RocksDB state dir whose write-ahead log is damaged (a killed recorder's, copied as it was, a byte flipped in
 * the middle of its log): every command refuses it, says so in one line and points at {@code repair}, and leaves it
 * as it is; {@code repair}, asked for, keeps what the log holds before the damage, and the state dir reads again.
 */
class RepairTest {
    private static final long S = 1_000_000_000L;
    private static final long START = 4_000 * S;
    private static final long WALL = Instant.parse("2026-11-25T17:00:00Z").getEpochSecond() * S;

    @TempDir
    Path tmp;

    @Test
    void aDamagedLogIsRefusedUntilRepairKeepsWhatPrecedesTheDamage() throws Exception {
        Path live = tmp.resolve("live");
        Path damaged = tmp.resolve("damaged");
        try (TimeMachine tm = TimeMachine.create(live, TimeMachine.Options.defaults().withEngine("rocks"))) {
            RecordingBuilder rec = RecordingBuilder.create(tm.store(), START, WALL, START + 10 * S, "/w").dir("/w", START, 0755);
            for (int i = 0; i < 400; i++) {
                rec.file("/w/f" + i, START + S + i, 0644, "file " + i + " ".repeat(1000)).flush();
            }
            copyTree(live, damaged); // while open: everything is in the log, as a killed recorder leaves it
        }
        Path log;
        try (Stream<Path> files = Files.list(damaged.resolve("db"))) {
            log = files.filter(p -> p.toString().endsWith(".log")).max(Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0xff);
        }
        Files.deleteIfExists(damaged.resolve("db").resolve("LOCK"));
        long sizeBefore = Files.size(log);

        Cli info = Cli.run("info", "--state-dir", damaged.toString());
        assertEquals(1, info.exitCode(), info.printed());
        assertEquals(1, info.err().lines().count(), info.printed());
        assertTrue(info.err().contains("damaged, and was left as it is") && info.err().contains("timemachine repair"),
                info.printed());
        assertEquals(sizeBefore, Files.size(log), "left as it is");

        Cli repair = Cli.run("repair", "--state-dir", damaged.toString());
        assertEquals(0, repair.exitCode(), repair.printed());
        assertTrue(repair.out().contains("what followed is dropped") && repair.out().contains("no problems"),
                repair.printed());
        Path out = tmp.resolve("out");
        Cli export = Cli.run("export", "--state-dir", damaged.toString(), "--time", "latest", "--out", out.toString());
        assertEquals(0, export.exitCode(), export.printed());
        long kept;
        try (Stream<Path> files = Files.list(out)) {
            kept = files.count();
        }
        assertTrue(kept > 0 && kept < 400, "what precedes the damage, not all: " + kept + " files");
        assertEquals("file 0" + " ".repeat(1000), Files.readString(out.resolve("f0")));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.sorted().toList()) {
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
