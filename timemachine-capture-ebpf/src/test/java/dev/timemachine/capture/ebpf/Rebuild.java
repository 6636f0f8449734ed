package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.timemachine.api.FsEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The test oracle: applies captured events in timestamp order (ties in arrival order) to an in-memory tree
 * that starts empty, then compares it with the real directory byte for byte.
 */
final class Rebuild {
    private final Map<String, byte[]> files = new TreeMap<>();
    private final TreeSet<String> dirs = new TreeSet<>();
    private final Map<String, String> symlinks = new TreeMap<>();

    static Rebuild of(List<FsEvent> events) {
        List<FsEvent> ordered = new ArrayList<>(events);
        ordered.sort(Comparator.comparingLong(FsEvent::timeNs)); // stable: ties keep arrival order
        Rebuild r = new Rebuild();
        ordered.forEach(r::apply);
        return r;
    }

    private void apply(FsEvent e) {
        String p = Capture.str(e.path());
        String p2 = Capture.str(e.path2());
        switch (e.op()) {
            case WRITE -> {
                byte[] old = files.getOrDefault(p, new byte[0]);
                long end = e.offset() + e.payload().length;
                byte[] b = end > old.length ? Arrays.copyOf(old, (int) end) : old;
                System.arraycopy(e.payload(), 0, b, (int) e.offset(), e.payload().length);
                files.put(p, b);
            }
            case CREATE -> files.putIfAbsent(p, new byte[0]);
            case TRUNCATE -> files.put(p, Arrays.copyOf(files.getOrDefault(p, new byte[0]), (int) e.length()));
            case FALLOCATE -> {
                byte[] old = files.getOrDefault(p, new byte[0]);
                long end = e.offset() + e.length();
                files.put(p, end > old.length ? Arrays.copyOf(old, (int) end) : old);
            }
            case RENAME -> move(p, p2);
            case EXCHANGE -> {
                move(p, p + "\0swap");
                move(p2, p);
                move(p + "\0swap", p2);
            }
            case UNLINK -> {
                files.remove(p);
                symlinks.remove(p);
            }
            case MKDIR -> dirs.add(p);
            case RMDIR -> dirs.remove(p);
            case SYMLINK -> symlinks.put(p, p2);
            case LINK -> files.put(p2, files.getOrDefault(p, new byte[0]).clone());
            case COPY -> {
                byte[] from = files.getOrDefault(p2, new byte[0]);
                byte[] old = files.getOrDefault(p, new byte[0]);
                long end = e.offset() + e.length();
                byte[] b = end > old.length ? Arrays.copyOf(old, (int) end) : old;
                System.arraycopy(from, (int) e.sourceOffset(), b, (int) e.offset(), (int) e.length());
                files.put(p, b);
            }
            default -> {
                // CHMOD, REREAD and LOST do not change bytes
            }
        }
    }

    private void move(String from, String to) {
        for (Map<String, ?> m : List.of(files, symlinks)) {
            moveKeys(m, from, to);
        }
        List<String> moved = new ArrayList<>();
        for (String d : dirs) {
            if (d.equals(from) || d.startsWith(from + "/")) {
                moved.add(d);
            }
        }
        dirs.removeAll(moved);
        moved.forEach(d -> dirs.add(to + d.substring(from.length())));
    }

    private static <V> void moveKeys(Map<String, V> m, String from, String to) {
        Map<String, V> moved = new TreeMap<>();
        m.entrySet().removeIf(en -> {
            String k = en.getKey();
            if (k.equals(from) || k.startsWith(from + "/")) {
                moved.put(to + k.substring(from.length()), en.getValue());
                return true;
            }
            return false;
        });
        m.putAll(moved);
    }

    byte[] content(Path file) {
        return files.get(file.toString());
    }

    /** Asserts that every regular file, directory and symlink under {@code dir} is exactly what the events say. */
    void assertMatches(Path dir) throws IOException {
        Map<String, byte[]> realFiles = new TreeMap<>();
        TreeSet<String> realDirs = new TreeSet<>();
        Map<String, String> realLinks = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.equals(dir)) {
                    continue;
                }
                if (Files.isSymbolicLink(p)) {
                    realLinks.put(p.toString(), Files.readSymbolicLink(p).toString());
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    realDirs.add(p.toString());
                } else {
                    realFiles.put(p.toString(), Files.readAllBytes(p));
                }
            }
        }
        String prefix = dir + "/";
        assertEquals(realFiles.keySet(), under(files, prefix).keySet(), "files rebuilt from the events");
        for (Map.Entry<String, byte[]> en : realFiles.entrySet()) {
            byte[] rebuilt = files.get(en.getKey());
            if (!Arrays.equals(en.getValue(), rebuilt)) {
                assertEquals(en.getValue().length, rebuilt.length, "size of " + en.getKey());
                assertArrayEquals(en.getValue(), rebuilt, "bytes of " + en.getKey());
            }
        }
        assertEquals(realDirs, new TreeSet<>(under(dirsAsMap(), prefix).keySet()), "directories");
        assertEquals(realLinks, under(symlinks, prefix), "symlinks");
    }

    private Map<String, Boolean> dirsAsMap() {
        Map<String, Boolean> m = new TreeMap<>();
        dirs.forEach(d -> m.put(d, true));
        return m;
    }

    private static <V> Map<String, V> under(Map<String, V> m, String prefix) {
        Map<String, V> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, v);
            }
        });
        return out;
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
