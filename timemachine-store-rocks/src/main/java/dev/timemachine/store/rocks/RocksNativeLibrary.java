package dev.timemachine.store.rocks;

import dev.timemachine.api.spi.NativeLibraryCache;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * Loads librocksdbjni from the per-user {@link NativeLibraryCache} instead of letting rocksdbjni inflate it
 * from the jar into java.io.tmpdir on every start (15 MB, ~13% of the start-up CPU of {@code record}), and
 * tells rocksdbjni which C library this process runs on, which it would otherwise learn by running
 * {@code ldd /usr/bin/env | grep musl} (a shell, ldd and four dynamic loaders started beside the recorder's
 * start-up, about 60 ms of a CPU). When anything about either fails, rocksdbjni's own way runs.
 */
final class RocksNativeLibrary {

    private RocksNativeLibrary() {
    }

    /** Loads the library, from the cache when it can, else the way rocksdbjni does it. */
    static void load() {
        decideMusl();
        // ROCKSDB_SHAREDLIB_DIR tells rocksdbjni where to extract: whoever set it wants that
        if (System.getenv("ROCKSDB_SHAREDLIB_DIR") == null) {
            try {
                Path lib = cached();
                if (lib != null) {
                    // loads <dir>/<name> (see cached) and marks the library loaded
                    RocksDB.loadLibrary(List.of(lib.getParent().toString()));
                    return;
                }
            } catch (RuntimeException | LinkageError e) {
                // the old way: rocksdbjni resets its state when a load fails
            }
        }
        RocksDB.loadLibrary();
    }

    /** The cached copy of this platform's librocksdbjni, or null (see {@link NativeLibraryCache#cached}). */
    static Path cached() {
        return NativeLibraryCache.cached(RocksDB.class.getClassLoader(), resource(), "rocksdbjni", fileName());
    }

    /** {@link #cached()} under one cache root. */
    static Path cached(Path root) throws IOException {
        return NativeLibraryCache.cached(root, RocksDB.class.getClassLoader(), resource(), "rocksdbjni", fileName());
    }

    /** What NativeLibraryLoader extracts. */
    private static String resource() {
        return Environment.getJniLibraryFileName("rocksdb");
    }

    /**
     * What RocksDB.loadLibrary(paths) loads from each path: it passes "rocksdbjni" where the loader passes
     * "rocksdb", so the name has "jnijni" in it (10.10). Should that change, the load fails and the old way runs.
     */
    private static String fileName() {
        return Environment.getJniLibraryFileName("rocksdbjni");
    }

    /**
     * Settles rocksdbjni's musl question from what this process has mapped, unless ROCKSDB_MUSL_LIBC
     * already answers it: the JVM runs on the C library the native library must be built for.
     */
    static void decideMusl() {
        if (System.getenv("ROCKSDB_MUSL_LIBC") != null) {
            return;
        }
        Boolean musl;
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            musl = musl(maps);
        } catch (IOException | RuntimeException e) {
            return;
        }
        if (musl == null) {
            return;
        }
        try {
            Field f = Environment.class.getDeclaredField("MUSL_LIBC");
            f.setAccessible(true);
            if (f.get(null) == null) {
                f.set(null, musl);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a rocksdbjni without the field, or a module that does not open it: it asks ldd
        }
    }

    /**
     * Whether the C library mapped into a process is musl, from its {@code /proc/PID/maps} lines; null when
     * neither musl's nor glibc's is among them.
     */
    static Boolean musl(Stream<String> maps) {
        Boolean found = null;
        for (String line : (Iterable<String>) maps::iterator) {
            int slash = line.lastIndexOf('/');
            if (slash < 0) {
                continue;
            }
            String file = line.substring(slash + 1);
            if (file.startsWith("ld-musl-") || file.startsWith("libc.musl-")) {
                return true;
            }
            if (file.equals("libc.so.6") || file.startsWith("libc-2.")) {
                found = false;
            }
        }
        return found;
    }
}
