package dev.timemachine.store.rocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.timemachine.api.spi.NativeLibraryCache;
import java.lang.reflect.Field;
import java.util.stream.Stream;
import org.rocksdb.RocksDB;

class RocksNativeLibraryTest {

    @TempDir
    Path tmp;

    @Test
    void extractsOnceThenReusesTheCachedFile() throws Exception {
        Path root = tmp.resolve("cache/timemachine");
        Path first = RocksNativeLibrary.cached(root);
        assertNotNull(first, "the library comes from a jar, so it is cached");
        assertTrue(first.startsWith(root.toRealPath()), first::toString);
        assertTrue(first.getParent().getFileName().toString().matches("rocksdbjni-[0-9a-f]{8}-[0-9]+"), first::toString);
        assertEquals("r-x------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.getParent())));
        Object inode = fileKey(first);

        Path second = RocksNativeLibrary.cached(root);
        assertEquals(first, second);
        assertEquals(inode, fileKey(second), "the second load must use the file the first extracted, not a new copy");
        try (var files = Files.list(first.getParent())) {
            assertEquals(List.of(first), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void replacesACopyOfTheWrongSize() throws Exception {
        Path root = tmp.resolve("cache");
        Path lib = RocksNativeLibrary.cached(root);
        long size = Files.size(lib);
        Files.delete(lib);
        Files.writeString(lib, "truncated", StandardCharsets.UTF_8);
        Object inode = fileKey(lib);

        assertEquals(lib, RocksNativeLibrary.cached(root));
        assertEquals(size, Files.size(lib));
        assertNotEquals(inode, fileKey(lib));
    }

    @Test
    void refusesACacheOthersCanWrite() throws Exception {
        Path root = tmp.resolve("cache");
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertNull(RocksNativeLibrary.cached(root.resolve("timemachine")));
    }

    @Test
    void cacheRootsAreXdgThenHome() {
        Path home = Path.of(System.getProperty("user.home"), ".cache", "timemachine");
        assertEquals(List.of(Path.of("/x/cache/timemachine"), home),
                NativeLibraryCache.roots(Map.of("XDG_CACHE_HOME", "/x/cache")));
        assertEquals(List.of(home), NativeLibraryCache.roots(Map.of("XDG_CACHE_HOME", "relative")));
        assertEquals(List.of(home), NativeLibraryCache.roots(Map.of()));
    }

    @Test
    void theCLibraryIsReadFromTheMappedFiles() {
        String glibc = "7f1e2c000000-7f1e2c028000 r--p 00000000 08:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6";
        String musl = "7f1e2c000000-7f1e2c028000 r--p 00000000 08:01 1234 /lib/ld-musl-x86_64.so.1";
        String heap = "55d0c0000000-55d0c0021000 rw-p 00000000 00:00 0 [heap]";
        assertEquals(Boolean.FALSE, RocksNativeLibrary.musl(Stream.of(heap, glibc)));
        assertEquals(Boolean.TRUE, RocksNativeLibrary.musl(Stream.of(heap, musl)));
        assertNull(RocksNativeLibrary.musl(Stream.of(heap, "7f1e2c000000-7f1e2c028000 r-xp 00000000 08:01 1 /opt/x/libfoo.so")));
    }

    /**
     * A fresh JVM answers rocksdbjni's musl question before rocksdbjni asks it (which would start a shell
     * running ldd), and answers it as rocksdbjni's own probe does on this machine.
     */
    @Test
    void theMuslQuestionIsAnsweredWithoutStartingLdd() throws Exception {
        String out = run(MuslProbe.class, Map.of());
        // rocksdbjni's own probe (ldd), for comparison
        var probe = org.rocksdb.util.Environment.class.getDeclaredMethod("initIsMuslLibc");
        probe.setAccessible(true);
        assertEquals("decided " + probe.invoke(null), out);
    }

    /** Two fresh JVMs: both map librocksdbjni from the cache, and the second did not write it again. */
    @Test
    void aSecondJvmLoadsTheFileTheFirstCached() throws Exception {
        Path xdg = tmp.resolve("xdg");
        Files.createDirectories(xdg);
        String firstMapped = probe(xdg);
        assertTrue(firstMapped.startsWith(xdg.toRealPath().resolve("timemachine") + "/"), firstMapped);
        Path lib = Path.of(firstMapped);
        Object inode = fileKey(lib);

        assertEquals(firstMapped, probe(xdg));
        assertEquals(inode, fileKey(lib));
    }

    /** Runs {@link Probe} in a new JVM with XDG_CACHE_HOME set; returns the file librocksdbjni is mapped from. */
    private static String probe(Path xdg) throws IOException, InterruptedException {
        return run(Probe.class, Map.of("XDG_CACHE_HOME", xdg.toString()));
    }

    /** Runs {@code main} in a new JVM with these variables set (and rocksdbjni's own unset); returns its output. */
    private static String run(Class<?> main, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName());
        pb.environment().remove("ROCKSDB_SHAREDLIB_DIR");
        pb.environment().remove("ROCKSDB_MUSL_LIBC");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static Object fileKey(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }

    /** Loads the library as the engine does and prints where librocksdbjni is mapped from. */
    static final class Probe {
        public static void main(String[] args) throws IOException {
            RocksNativeLibrary.load();
            RocksDB.rocksdbVersion(); // a native call: the library works
            try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
                System.out.println(lines.filter(l -> l.contains("librocksdbjni")).map(l -> l.substring(l.indexOf('/')))
                        .findFirst().orElse("librocksdbjni is not mapped"));
            }
        }
    }

    /** Prints rocksdbjni's musl answer as {@link RocksNativeLibrary#decideMusl} leaves it, before rocksdbjni runs. */
    static final class MuslProbe {
        public static void main(String[] args) throws ReflectiveOperationException {
            RocksNativeLibrary.decideMusl();
            Field f = org.rocksdb.util.Environment.class.getDeclaredField("MUSL_LIBC");
            f.setAccessible(true);
            System.out.println(f.get(null) == null ? "undecided" : "decided " + f.get(null));
        }
    }
}
