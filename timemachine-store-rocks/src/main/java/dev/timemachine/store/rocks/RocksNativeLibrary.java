package dev.timemachine.store.rocks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * Loads librocksdbjni from a per-user cache instead of letting rocksdbjni inflate it from the jar into
 * java.io.tmpdir on every start (15 MB, ~13% of the start-up CPU of {@code record}).
 *
 * <p>The library is extracted once into {@code $XDG_CACHE_HOME/timemachine/rocksdbjni-<crc32>-<size>/}
 * (else, or when that cannot be used, {@code ~/.cache/timemachine/...}), named by the CRC-32 and size of the jar entry, so another
 * rocksdbjni version (another jar) never loads a file that is not its own; the entry's CRC and size come from
 * the jar's central directory, so a cache hit inflates nothing. A new file is written to a temporary name
 * and renamed into place, so concurrent first starts are safe. Since a shared library is code, the cache is
 * only used when every directory up to / is owned by this user or root and writable by no one else (or is
 * sticky, like /tmp); otherwise, or when anything about it fails, rocksdbjni's own loader runs as before.
 */
final class RocksNativeLibrary {

    private static final String NAME = "rocksdbjni";

    private RocksNativeLibrary() {
    }

    /** Loads the library, from the cache when it can, else the way rocksdbjni does it. */
    static void load() {
        // ROCKSDB_SHAREDLIB_DIR tells rocksdbjni where to extract: whoever set it wants that
        if (System.getenv("ROCKSDB_SHAREDLIB_DIR") == null) {
            for (Path root : cacheRoots(System.getenv())) {
                try {
                    Path lib = cached(root);
                    if (lib != null) {
                        // loads <dir>/<name> (see cached) and marks the library loaded
                        RocksDB.loadLibrary(List.of(lib.getParent().toString()));
                        return;
                    }
                } catch (IOException | RuntimeException | LinkageError e) {
                    // the next, or the old way: rocksdbjni resets its state when a load fails
                }
            }
        }
        RocksDB.loadLibrary();
    }

    /**
     * Where the library may be cached, in order: {@code $XDG_CACHE_HOME/timemachine}, then
     * {@code ~/.cache/timemachine} of the account (Java's user.home: under {@code sudo -E} root's, not the
     * caller's, whose files root must not load).
     */
    static List<Path> cacheRoots(Map<String, String> env) {
        List<Path> roots = new ArrayList<>();
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            roots.add(Path.of(xdg, "timemachine"));
        }
        String home = System.getProperty("user.home");
        if (home != null && home.startsWith("/") && !roots.contains(Path.of(home, ".cache", "timemachine"))) {
            roots.add(Path.of(home, ".cache", "timemachine"));
        }
        return roots;
    }

    /**
     * The cached copy of this platform's librocksdbjni under {@code root}, extracted now if it is not there
     * yet; null when the library is not in a jar (nothing to cache) or the cache cannot be trusted.
     */
    static Path cached(Path root) throws IOException {
        String resource = Environment.getJniLibraryFileName("rocksdb"); // what NativeLibraryLoader extracts
        // what RocksDB.loadLibrary(paths) loads from each path: it passes "rocksdbjni" where the loader passes
        // "rocksdb", so the name has "jnijni" in it (10.10). Should that change, the load below fails and the
        // old way runs.
        String name = Environment.getJniLibraryFileName("rocksdbjni");
        URL url = RocksDB.class.getClassLoader().getResource(resource);
        if (url == null || !"jar".equals(url.getProtocol())) {
            return null;
        }
        Path jar;
        try {
            jar = Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
        // the class loader has the jar open already: ZipFile shares its central directory
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(resource);
            if (entry == null || entry.getSize() < 0 || entry.getCrc() < 0) {
                return null;
            }
            Path dir = root.resolve(String.format("%s-%08x-%d", NAME, entry.getCrc(), entry.getSize()));
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            dir = dir.toRealPath();
            if (!trusted(dir)) {
                return null;
            }
            Path lib = dir.resolve(name);
            if (Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS) && Files.size(lib) == entry.getSize()
                    && safe(lib)) {
                return lib;
            }
            extract(zip, entry, lib);
            return lib;
        }
    }

    private static void extract(ZipFile zip, ZipEntry entry, Path lib) throws IOException {
        Path tmp = Files.createTempFile(lib.getParent(), "." + lib.getFileName() + "-", ".tmp");
        try {
            CRC32 crc = new CRC32();
            try (InputStream in = zip.getInputStream(entry); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    crc.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
            if (crc.getValue() != entry.getCrc() || Files.size(tmp) != entry.getSize()) {
                throw new IOException(entry.getName() + ": CRC or size differ from the jar's directory");
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-x------"));
            // rename(2): a concurrent start either sees no file or a whole one, never a half-written one
            Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@code dir} (a real path) and every directory above it: no one but this user and root can change them. */
    private static boolean trusted(Path dir) throws IOException {
        int me = uid(Path.of("/proc/self"));
        for (Path p = dir; p != null; p = p.getParent()) {
            Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            boolean othersWrite = (mode & 0022) != 0;
            boolean sticky = (mode & 01000) != 0;
            if ((uid != me && uid != 0) || (othersWrite && !(sticky && p != dir))) {
                return false;
            }
        }
        return true;
    }

    private static boolean safe(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        int uid = (Integer) a.get("uid");
        return (uid == uid(Path.of("/proc/self")) || uid == 0) && ((Integer) a.get("mode") & 0022) == 0;
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid");
    }
}
