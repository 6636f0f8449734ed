package dev.timemachine.core;

import static dev.timemachine.core.RecordingBuilder.DIR;
import static dev.timemachine.core.RecordingBuilder.FILE;
import static dev.timemachine.core.RecordingBuilder.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.VersionRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Export fidelity and safety, on recordings written straight through the api. Each engine runs it by subclassing. */
public abstract class ExporterContract extends EngineTestBase {
    protected KvTimeMachineStore store;

    @BeforeEach
    void openStore() {
        store = open();
    }

    private RecordingInfo info(RecordingBuilder rec) {
        return store.recordings().get(rec.id()).orElseThrow();
    }

    private ExportSummary export(RecordingBuilder rec, long t, Path out, boolean force) {
        return new Exporter(store, info(rec), ProgressListener.SILENT).export(t, out, force);
    }

    /**
     * Builds an expected tree of several hundred entries on disk, records a history that ends in it (earlier
     * contents, files deleted and renamed on the way), exports and compares byte for byte.
     */
    @Test
    void exportsATreeOfSeveralHundredPathsExactly() throws IOException {
        Path expected = tmp.resolve("expected");
        Random rnd = new Random(42);
        RecordingBuilder rec = RecordingBuilder.create(store, 0, 0, 100, "/w");
        rec.dir("/w", 1, 0755);
        Files.createDirectory(expected);
        int made = 0;
        for (int d = 0; d < 12; d++) {
            String dir = "/w/dir" + d;
            int dmode = d % 4 == 0 ? 0700 : d % 4 == 1 ? 0750 : d % 4 == 2 ? 0555 : 0755;
            Files.createDirectory(expected.resolve("dir" + d));
            rec.dir(dir, 1, dmode);
            Files.createDirectory(expected.resolve("dir" + d + "/empty"));
            rec.dir(dir + "/empty", 2, 0711);
            for (int f = 0; f < 30; f++, made++) {
                String rel = "dir" + d + "/f" + f + (f % 3 == 0 ? ".txt" : ".bin");
                String path = "/w/" + rel;
                int mode = f % 5 == 0 ? 0600 : f % 5 == 1 ? 0755 : f % 5 == 2 ? 0444 : 0644;
                byte[] content = new byte[rnd.nextInt(f % 10 == 0 ? 200_000 : 3_000)];
                rnd.nextBytes(content);
                Files.write(expected.resolve(rel), content);
                if (f % 4 == 0) {
                    // history: an old version, then extents and a truncate that end in the final bytes
                    byte[] old = new byte[content.length + 100];
                    rnd.nextBytes(old);
                    rec.file(path, 1, 0644, old);
                    int half = content.length / 2;
                    rec.write(path, 5, 0644, 0, Arrays.copyOf(content, half));
                    rec.truncate(path, 6, 0644, half);
                    rec.write(path, 7, 0644, half, Arrays.copyOfRange(content, half, content.length));
                    rec.chmod(path, 8, FILE | mode);
                } else if (f % 4 == 1) {
                    rec.file("/w/" + rel + ".tmp", 3, mode, content);
                    rec.rename("/w/" + rel + ".tmp", path, 9, FILE | mode);
                } else {
                    rec.file(path, 2, mode, content);
                }
                Files.setPosixFilePermissions(expected.resolve(rel), perms(mode));
            }
            rec.file(dir + "/deleted", 2, 0644, "gone").delete(dir + "/deleted", 9);
            Files.createSymbolicLink(expected.resolve("dir" + d + "/link"), Path.of("f1.bin"));
            rec.symlink(dir + "/link", 3, "f1.bin");
            Files.createSymbolicLink(expected.resolve("dir" + d + "/dangling"), Path.of("../nowhere/x"));
            rec.symlink(dir + "/dangling", 3, "../nowhere/x");
        }
        // a sparse file: a hole, then bytes, then a hole to the end
        byte[] sparseTail = b("tail");
        try (FileChannel ch = FileChannel.open(expected.resolve("sparse"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(sparseTail), 10 << 20);
            ch.write(ByteBuffer.allocate(1), (20 << 20) - 1);
        }
        Files.setPosixFilePermissions(expected.resolve("sparse"), perms(0644));
        rec.file("/w/sparse", 1, 0644, new byte[0]).write("/w/sparse", 2, 0644, 10 << 20, sparseTail)
                .truncate("/w/sparse", 3, 0644, 20 << 20);
        // a hard link, exported as an equal copy
        Files.write(expected.resolve("hard"), Files.readAllBytes(expected.resolve("dir0/f2.bin")));
        Files.setPosixFilePermissions(expected.resolve("hard"), perms(0444));
        rec.link("/w/dir0/f2.bin", "/w/hard", 9, FILE | 0444);
        for (int d = 0; d < 12; d++) {
            int dmode = d % 4 == 0 ? 0700 : d % 4 == 1 ? 0750 : d % 4 == 2 ? 0555 : 0755;
            Files.setPosixFilePermissions(expected.resolve("dir" + d + "/empty"), perms(0711));
            Files.setPosixFilePermissions(expected.resolve("dir" + d), perms(dmode));
        }
        rec.flush();
        assertTrue(made >= 300);

        Path out = tmp.resolve("out");
        ExportSummary s = export(rec, 10, out, false);
        try {
            assertEquals(Trees.describe(expected), Trees.describe(out));
            assertEquals(12 * 30 + 2, s.files());
            assertEquals(12 * 2 + 1, s.directories());
            assertEquals(24, s.symlinks());
            assertEquals(List.of(), s.refused());
            assertEquals(List.of(), s.approximate());
            assertEquals(0755, mode(out));
        } finally {
            makeWritable(out);
            makeWritable(expected);
        }
    }

    @Test
    void beforeADeleteThePathIsThereAndAfterItIsNot() throws IOException {
        RecordingBuilder rec = RecordingBuilder.create(store, 0, 0, 100, "/w")
                .dir("/w", 1, 0755).file("/w/a", 2, 0644, "a").delete("/w/a", 5).dir("/w/empty", 3, 0755).flush();
        export(rec, 4, tmp.resolve("t4"), false);
        export(rec, 5, tmp.resolve("t5"), false);
        assertEquals("a", Files.readString(tmp.resolve("t4/a")));
        assertFalse(Files.exists(tmp.resolve("t5/a")));
        assertTrue(Files.isDirectory(tmp.resolve("t5/empty")));
        export(rec, 0, tmp.resolve("t0"), false);
        assertEquals(List.of(), Arrays.asList(tmp.resolve("t0").toFile().list()));
    }

    @Test
    void severalRootsGoUnderTheirPaths() throws IOException {
        RecordingBuilder rec = RecordingBuilder.create(store, 0, 0, 100, "/src/app", "/etc/app")
                .dir("/src/app", 1, 0755).file("/src/app/main.c", 1, 0644, "int main;")
                .dir("/etc/app", 1, 0700).file("/etc/app/conf", 1, 0600, "k=v").flush();
        Path out = tmp.resolve("out");
        export(rec, 1, out, false);
        assertEquals("int main;", Files.readString(out.resolve("src/app/main.c")));
        assertEquals("k=v", Files.readString(out.resolve("etc/app/conf")));
        assertEquals(0700, mode(out.resolve("etc/app")));
    }

    @Test
    void approximateFilesAreListedWithTheirReason() {
        RecordingBuilder rec = RecordingBuilder.create(store, 0, 0, 100, "/w").dir("/w", 1, 0755)
                .file("/w/db", 1, 0644, b("mmapped"), dev.timemachine.api.ApproximateReason.MAPPED.in(0))
                .write("/w/unknown", 2, 0644, 3, b("x")).file("/w/exact", 1, 0644, "x").flush();
        ExportSummary s = export(rec, 5, tmp.resolve("out"), false);
        assertEquals(List.of("/w/db", "/w/unknown"), s.approximate().stream().map(ExportSummary.Approximate::path).toList());
        assertTrue(s.approximate().get(0).reason().contains("shared mapping"), s.approximate().get(0).reason());
        assertTrue(s.approximate().get(1).reason().contains("unknown"), s.approximate().get(1).reason());
    }

    @Test
    void pathsThatWouldEscapeAreRefusedAndNothingIsWrittenOutside() throws IOException {
        Path outside = tmp.resolve("outside");
        Files.createDirectory(outside);
        RecordingBuilder rec = RecordingBuilder.create(store, 0, 0, 100, "/w").dir("/w", 1, 0755)
                .file("/w/../etc/passwd", 1, 0644, "root::0:0")
                .file("/w/sub/../../escape", 1, 0644, "x")
                .file("/w//double", 1, 0644, "x")
                .file("/w/./dot", 1, 0644, "x")
                .file("/elsewhere/f", 1, 0644, "x")
                .symlink("/w/link", 1, outside.toString())
                .file("/w/link/planted", 2, 0644, "planted")
                .dir("/w/link/dir", 2, 0755)
                .file("/w/ok", 1, 0644, "ok").flush();
        Path out = tmp.resolve("out");
        ExportSummary s = export(rec, 5, out, false);
        assertEquals(List.of(), Arrays.asList(outside.toFile().list()), "nothing written through the symlink");
        assertEquals("ok", Files.readString(out.resolve("ok")));
        assertEquals(outside, Files.readSymbolicLink(out.resolve("link")));
        List<String> refused = s.refused().stream().map(ExportSummary.Refused::path).sorted().toList();
        assertEquals(List.of("/elsewhere/f", "/w/../etc/passwd", "/w/./dot", "/w//double", "/w/link/dir", "/w/link/planted",
                "/w/sub/../../escape"), refused);
        try (Stream<Path> all = Files.walk(tmp)) {
            assertEquals(List.of(), all.filter(p -> p.getFileName().toString().equals("passwd")
                    || p.getFileName().toString().equals("escape") || p.getFileName().toString().equals("planted")).toList());
        }
    }

    @Test
    void aNonEmptyOutNeedsForceAndForceReplacesWithoutFollowing() throws IOException {
        Path outside = tmp.resolve("outside");
        Files.createDirectory(outside);
        Files.writeString(outside.resolve("keep"), "keep");
        RecordingBuilder rec = RecordingBuilder.create(store, 0, 0, 100, "/w").dir("/w", 1, 0755)
                .dir("/w/d", 1, 0755).file("/w/d/f", 1, 0644, "new").file("/w/keep", 1, 0644, "replaced").flush();
        Path out = tmp.resolve("out");
        Files.createDirectory(out);
        Files.createSymbolicLink(out.resolve("d"), outside);
        Files.createSymbolicLink(out.resolve("keep"), outside.resolve("keep"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> export(rec, 1, out, false));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertFalse(Exporter.isAbsentOrEmpty(out));

        ExportSummary s = export(rec, 1, out, true);
        assertEquals(List.of(), s.refused());
        assertTrue(Files.isDirectory(out.resolve("d"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("new", Files.readString(out.resolve("d/f")));
        assertFalse(Files.isSymbolicLink(out.resolve("keep")));
        assertEquals("replaced", Files.readString(out.resolve("keep")));
        assertEquals(List.of("keep"), Arrays.asList(outside.toFile().list()));
        assertEquals("keep", Files.readString(outside.resolve("keep")));
    }

    @Test
    void largeFilesAreStreamedAndExact() throws IOException {
        byte[] big = new byte[70 << 20];
        new Random(3).nextBytes(big);
        RecordingBuilder rec = RecordingBuilder.create(store, 0, 0, 100, "/w").dir("/w", 1, 0755)
                .file("/w/big", 1, 0644, big).write("/w/big", 2, 0644, 1 << 20, b("edit")).flush();
        Path out = tmp.resolve("out");
        ExportSummary s = export(rec, 2, out, false);
        System.arraycopy(b("edit"), 0, big, 1 << 20, 4);
        assertArrayEquals(big, Files.readAllBytes(out.resolve("big")));
        assertEquals(big.length, s.bytes());
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static Set<PosixFilePermission> perms(int mode) {
        StringBuilder s = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
        }
        return PosixFilePermissions.fromString(s.toString());
    }

    /** Lets the temp-dir cleanup delete read-only directories when tests do not run as root. */
    private static void makeWritable(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                Files.setPosixFilePermissions(p, perms(0755));
            }
        }
    }
}
