package dev.timemachine.cli.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The exact tree under a directory, one line per entry keyed by relative path, in the format
 * {@code workload.py} writes: {@code f MODE SIZE SHA256}, {@code d MODE - -}, {@code l - - TARGET}
 * (tab-separated). Used both for the workload's manifests and for what {@code export} wrote.
 */
public final class TreeManifest {

    /** One manifest step: the instant right after an operation and the tree at that instant. */
    public record Step(int index, String label, long timeNs, Map<String, String> extra, SortedMap<String, String> entries) {
        @Override
        public String toString() {
            return index + ":" + label;
        }
    }

    private TreeManifest() {
    }

    /** The steps a workload wrote. */
    public static List<Step> read(Path manifest) throws IOException {
        List<Step> steps = new ArrayList<>();
        String label = null;
        long time = 0;
        Map<String, String> extra = null;
        SortedMap<String, String> entries = null;
        for (String line : Files.readAllLines(manifest)) {
            String[] f = line.split("\t", -1);
            if (f[0].equals("step")) {
                label = f[1];
                time = Long.parseLong(f[2]);
                extra = new LinkedHashMap<>();
                for (String kv : f[3].split(" ")) {
                    if (!kv.isEmpty()) {
                        extra.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                    }
                }
                entries = new TreeMap<>();
            } else if (f[0].equals("end")) {
                steps.add(new Step(steps.size(), label, time, extra, entries));
                entries = null;
            } else {
                entries.put(f[4], f[0] + "\t" + f[1] + "\t" + f[2] + "\t" + f[3]);
            }
        }
        return steps;
    }

    /** The entries under {@code dir} (not {@code dir} itself), never following a symlink. */
    public static SortedMap<String, String> of(Path dir) throws IOException {
        SortedMap<String, String> entries = new TreeMap<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                if (!d.equals(dir)) {
                    entries.put(dir.relativize(d).toString(), "d\t" + mode(d) + "\t-\t-");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                String rel = dir.relativize(f).toString();
                if (a.isSymbolicLink()) {
                    entries.put(rel, "l\t-\t-\t" + Files.readSymbolicLink(f));
                } else if (a.isRegularFile()) {
                    entries.put(rel, "f\t" + mode(f) + "\t" + a.size() + "\t" + sha256(f));
                } else {
                    entries.put(rel, "? " + a);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return entries;
    }

    /** Asserts that {@code dir} holds exactly the tree of {@code step}, showing every differing entry. */
    public static void assertTreeEquals(Step step, Path dir, String context) throws IOException {
        assertEquals(render(step.entries()), render(of(dir)), "tree at step " + step + " (t=@" + step.timeNs() + ")\n" + context);
    }

    private static String render(SortedMap<String, String> entries) {
        StringBuilder s = new StringBuilder();
        entries.forEach((path, line) -> s.append(path).append('\t').append(line).append('\n'));
        return s.toString();
    }

    private static String mode(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return String.format("%04o", mode & 07777);
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
