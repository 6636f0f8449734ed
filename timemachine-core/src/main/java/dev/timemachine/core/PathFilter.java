package dev.timemachine.core;

import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides which paths belong in a recording: those under a root, outside the state dir, and not excluded.
 * An {@code --exclude} glob matches a path relative to its root ({@code build/**}), an absolute path when it
 * starts with {@code /}, or, without any {@code /}, a single name at any depth ({@code *.log},
 * {@code node_modules}); a path is excluded when it or any directory above it (within the root) matches, so
 * nothing below an excluded directory is recorded. Immutable and thread-safe.
 */
final class PathFilter {
    private final List<byte[]> roots;
    private final byte[] stateDir;
    private final List<PathMatcher> relative = new ArrayList<>();
    private final List<PathMatcher> absolute = new ArrayList<>();
    private final List<PathMatcher> names = new ArrayList<>();

    /**
     * @param roots    absolute, normalised roots
     * @param excludes globs as given by the user
     * @param stateDir the state dir, never recorded (may be {@code null})
     * @throws IllegalArgumentException for a malformed glob
     */
    PathFilter(List<Path> roots, List<String> excludes, Path stateDir) {
        this.roots = roots.stream().map(PathFilter::bytes).toList();
        this.stateDir = stateDir == null ? null : bytes(stateDir);
        for (String glob : excludes) {
            PathMatcher m = matcher(glob);
            if (glob.startsWith("/")) {
                absolute.add(m);
            } else if (glob.contains("/")) {
                relative.add(m);
            } else {
                names.add(m);
            }
        }
    }

    /**
     * Checks that every glob is well formed.
     *
     * @throws IllegalArgumentException naming the first that is not
     */
    static void check(List<String> excludes) {
        excludes.forEach(PathFilter::matcher);
    }

    private static PathMatcher matcher(String glob) {
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (IllegalArgumentException e) {
            String why = e instanceof java.util.regex.PatternSyntaxException p
                    ? p.getDescription() + " at character " + (p.getIndex() + 1) : e.getMessage();
            throw new IllegalArgumentException("bad glob '" + glob + "': " + why, e);
        }
    }

    static byte[] bytes(Path p) {
        return PathBytes.bytes(p);
    }

    /** The root {@code path} lies under (or is), or {@code null}. */
    byte[] rootOf(byte[] path) {
        for (byte[] root : roots) {
            if (isUnder(path, root)) {
                return root;
            }
        }
        return null;
    }

    /** Whether {@code path} is {@code dir} or lies below it. */
    static boolean isUnder(byte[] path, byte[] dir) {
        if (path.length < dir.length || !java.util.Arrays.equals(path, 0, dir.length, dir, 0, dir.length)) {
            return false;
        }
        return path.length == dir.length || dir[dir.length - 1] == '/' || path[dir.length] == '/';
    }

    /** Whether {@code path} (absolute) is recorded. */
    boolean accepts(byte[] path) {
        byte[] root = rootOf(path);
        if (root == null || (stateDir != null && isUnder(path, stateDir))) {
            return false;
        }
        if (relative.isEmpty() && absolute.isEmpty() && names.isEmpty()) {
            return true;
        }
        Path abs;
        Path rootPath;
        try {
            abs = Path.of(PathBytes.display(path));
            rootPath = Path.of(PathBytes.display(root));
        } catch (InvalidPathException e) {
            return true; // a name the JDK cannot spell cannot match a glob given on its command line
        }
        for (Path p = abs; p != null && p.startsWith(rootPath) && !p.equals(rootPath); p = p.getParent()) {
            if (matches(p, rootPath.relativize(p))) {
                return false;
            }
        }
        return true;
    }

    private boolean matches(Path abs, Path rel) {
        Path name = abs.getFileName();
        for (PathMatcher m : names) {
            if (name != null && m.matches(name)) {
                return true;
            }
        }
        for (PathMatcher m : relative) {
            if (m.matches(rel)) {
                return true;
            }
        }
        for (PathMatcher m : absolute) {
            if (m.matches(abs)) {
                return true;
            }
        }
        return false;
    }
}
