package dev.timemachine.api.spi;

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

/**
 * A per-user cache of the native libraries that backends carry in their jars (librocksdbjni, jffi's stub), so
 * that a start loads the file a previous start extracted instead of inflating it again into java.io.tmpdir.
 *
 * <p>A library is extracted once into {@code $XDG_CACHE_HOME/timemachine/<name>-<crc32>-<size>/} (else, or
 * when that cannot be used, {@code ~/.cache/timemachine/...}), named by the CRC-32 and size of its jar entry,
 * so another version of it (another jar) never loads a file that is not its own; the entry's CRC and size come
 * from the jar's central directory, so a cache hit inflates nothing. A new file is written to a temporary name
 * and renamed into place, so concurrent first starts are safe. Since a shared library is code, the cache is
 * only used when every directory up to / is owned by this user or root and writable by no one else (or is
 * sticky, like /tmp); otherwise the caller loads the library its own way.
 */
public final class NativeLibraryCache {

    private NativeLibraryCache() {
    }

    /**
     * The cached copy of {@code resource}, extracted now if it is not there yet, as {@code fileName} in the
     * first cache root that can be used; null when the resource is not in a jar (nothing to cache) or no
     * cache can be trusted or written.
     *
     * @param loader   the class loader that finds the resource
     * @param resource the library's path inside its jar
     * @param name     the cache directory's prefix, saying whose library it is
     * @param fileName the cached file's name (what the library's loader looks for)
     */
    public static Path cached(ClassLoader loader, String resource, String name, String fileName) {
        for (Path root : roots(System.getenv())) {
            try {
                Path lib = cached(root, loader, resource, name, fileName);
                if (lib != null) {
                    return lib;
                }
            } catch (IOException | RuntimeException e) {
                // the next root, or none: the caller's own loader
            }
        }
        return null;
    }

    /**
     * Where libraries may be cached, in order: {@code $XDG_CACHE_HOME/timemachine}, then
     * {@code ~/.cache/timemachine} of the account (Java's user.home: under {@code sudo -E} root's, not the
     * caller's, whose files root must not load).
     */
    public static List<Path> roots(Map<String, String> env) {
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

    /** {@link #cached(ClassLoader, String, String, String)} under one cache root. */
    public static Path cached(Path root, ClassLoader loader, String resource, String name, String fileName)
            throws IOException {
        URL url = loader.getResource(resource);
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
            Path dir = root.resolve(String.format("%s-%08x-%d", name, entry.getCrc(), entry.getSize()));
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            dir = dir.toRealPath();
            if (!trusted(dir)) {
                return null;
            }
            Path lib = dir.resolve(fileName);
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
