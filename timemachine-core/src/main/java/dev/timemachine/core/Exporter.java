package dev.timemachine.core;

import dev.timemachine.api.FileState;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.api.Version;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes the recorded roots of one recording, as they were at an instant, under an output directory
 * (docs/architecture.md §3 and §9). One root's contents go straight into the output directory; with several roots each goes
 * to {@code out/<root without its leading '/'>}.
 *
 * <p>What is written: regular files with their exact bytes (holes stay holes) and permission bits,
 * directories (empty ones too; their modes set last, deepest first, so a read-only directory can still be
 * filled), symlinks with their target. Hard links are written as copies with equal content.
 *
 * <p>Safety: nothing is written outside the output directory. A recorded path with an empty, {@code .} or
 * {@code ..} component, or not under a recorded root, is refused and reported, not normalised into some other
 * place. Symlinks inside the output are never followed: files are created with {@code O_EXCL|O_NOFOLLOW},
 * modes are set through a no-follow handle, and every parent component is checked to be a real directory. A
 * parent that is a symlink this export wrote (a recorded symlink with recorded paths "below" it) refuses those
 * paths; with {@code force}, an entry that was already in the output and is in the way is removed itself,
 * never followed. A non-empty output directory needs {@code force}.
 *
 * <p>Not thread-safe; use one exporter per export.
 */
final class Exporter {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final TimeMachineStore store;
    private final RecordingInfo recording;
    private final KvReplayer replayer;
    private final ProgressListener progress;

    Exporter(TimeMachineStore store, RecordingInfo recording, ProgressListener progress) {
        this.store = store;
        this.recording = recording;
        this.replayer = new KvReplayer(store, recording.id());
        this.progress = progress;
    }

    /** Whether {@code out} may be exported into without {@code force}: absent, or an empty directory. */
    static boolean isAbsentOrEmpty(Path out) {
        if (!Files.exists(out, NOFOLLOW) && !Files.exists(out)) {
            return true;
        }
        if (!Files.isDirectory(out)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(out)) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Writes the tree as it was at {@code atNs} under {@code out}.
     *
     * @param force write into a non-empty {@code out}, replacing entries in the way
     * @throws IllegalArgumentException if {@code out} is not a directory, or is not empty and {@code force} is off
     * @throws TimeMachineException     if the output cannot be written, or stored data is missing or corrupt
     */
    ExportSummary export(long atNs, Path out, boolean force) {
        progress.step("export");
        try {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new IllegalArgumentException(out + " exists and is not a directory");
            }
            if (!force && !isAbsentOrEmpty(out)) {
                throw new IllegalArgumentException(out + " is not empty; use --force to write into it anyway");
            }
            Files.createDirectories(out);
            return new Run(out.toRealPath(), force).run(atNs);
        } catch (IOException e) {
            throw new TimeMachineException("cannot export to " + out + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new TimeMachineException("cannot export to " + out + ": " + e.getCause().getMessage(), e.getCause());
        } finally {
            progress.finished();
        }
    }

    /** A recorded root: its bytes and where its contents go. */
    private record Root(byte[] bytes, Path base) {
    }

    /** A regular file written at {@code dest} whose name came from {@code by}, a LINK record. */
    private record Link(byte[] path, Path dest, Version by) {
    }

    /** A path that cannot be written; reported, and the export goes on. */
    private static final class RefusedException extends Exception {
        RefusedException(String reason) {
            super(reason, null, false, false);
        }
    }

    /** One export: what was written so far. */
    private final class Run {
        private final Path out;
        private final boolean force;
        private final List<Root> roots = new ArrayList<>();
        private final Set<Path> written = new HashSet<>();
        private final List<Path> directories = new ArrayList<>();
        private final List<Integer> directoryModes = new ArrayList<>();
        /** Where each regular file was written, by recorded path. */
        private final Map<ByteBuffer, Path> regular = new HashMap<>();
        /** The regular files that got their name as a hard link of another, in the order written. */
        private final List<Link> links = new ArrayList<>();
        /** The approximate files written, by path, in order. */
        private final Map<byte[], Rebuilt> approximate = new LinkedHashMap<>();
        private final List<ExportSummary.Refused> refused = new ArrayList<>();
        private long files;
        private long dirs;
        private long symlinks;
        private long bytes;
        private long done;

        Run(Path out, boolean force) {
            this.out = out;
            this.force = force;
        }

        ExportSummary run(long atNs) throws IOException {
            for (String root : recording.roots()) {
                Path base = out;
                byte[] rootBytes = PathBytes.bytes(root);
                List<String> names = components(rootBytes);
                if (names == null) {
                    refused.add(new ExportSummary.Refused(root, "the recorded root is not a normalised absolute path"));
                    continue;
                }
                if (recording.roots().size() > 1) {
                    for (String n : names) {
                        base = base.resolve(n);
                    }
                }
                roots.add(new Root(rootBytes, base));
            }
            // Longest root first, so a path under nested roots goes to the innermost one.
            roots.sort(Comparator.comparingInt((Root r) -> r.bytes.length).reversed());
            replayer.forEachRebuilt(atNs, (path, state) -> {
                try {
                    write(path, state);
                } catch (RefusedException e) {
                    refused.add(new ExportSummary.Refused(PathBytes.display(path), e.getMessage()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                progress.progress(++done, "paths");
            });
            linkWhatIsOneFile(atNs);
            if (force) {
                removeWhatWasNotThere();
            }
            setDirectoryModes();
            return new ExportSummary(files, dirs, symlinks, bytes,
                    Commands.approximations(store, recording.id(), atNs, approximate), refused);
        }

        private void write(byte[] path, Rebuilt state) throws IOException, RefusedException {
            Path dest = destination(path, state.type);
            if (dest.equals(out)) {
                if (state.type == FileState.Type.DIRECTORY) {
                    directories.add(out);
                    directoryModes.add(state.mode);
                    dirs++;
                }
                return;
            }
            ensureParents(dest);
            switch (state.type) {
                case DIRECTORY -> {
                    BasicFileAttributes a = lstat(dest);
                    if (a == null || !a.isDirectory()) {
                        clear(dest, a);
                        Files.createDirectory(dest, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    }
                    written.add(dest);
                    directories.add(dest);
                    directoryModes.add(state.mode);
                    dirs++;
                }
                case REGULAR -> {
                    clear(dest, lstat(dest));
                    written.add(dest);
                    // under a name of its own until it is whole: a failed export leaves no partial file that
                    // looks like a good one (the rename replaces nothing: dest was cleared)
                    Path partial = dest.resolveSibling(".timemachine-partial-" + UUID.randomUUID());
                    try {
                        try (FileChannel ch = FileChannel.open(partial, Set.of(StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE, NOFOLLOW),
                                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                            state.layout.writeTo(ch, store.content());
                        }
                        setMode(partial, state.mode);
                        Files.move(partial, dest, StandardCopyOption.ATOMIC_MOVE);
                    } finally {
                        Files.deleteIfExists(partial);
                    }
                    files++;
                    bytes += state.size();
                    if (state.approximate()) {
                        approximate.put(path, state);
                    }
                    regular.put(ByteBuffer.wrap(path), dest);
                    if (state.linkedBy != null) {
                        links.add(new Link(path, dest, state.linkedBy));
                    }
                }
                case SYMLINK -> {
                    Optional<Path> target = PathBytes.target(state.target);
                    if (target.isEmpty()) {
                        throw new RefusedException("its symlink target " + PathBytes.display(state.target)
                                + " cannot be represented by this JVM's file-name encoding");
                    }
                    clear(dest, lstat(dest));
                    written.add(dest);
                    Files.createSymbolicLink(dest, target.get());
                    symlinks++;
                }
            }
        }

        /** Where a recorded path goes, or why it may not be written. */
        private Path destination(byte[] path, FileState.Type type) throws RefusedException {
            List<String> names = components(path);
            if (names == null) {
                throw new RefusedException("not a normalised absolute path (empty, '.' or '..' components, or a name"
                        + " this JVM's file-name encoding cannot represent); it could land outside the output");
            }
            for (Root root : roots) {
                int n = rootDepth(root);
                if (names.size() >= n && startsWith(path, root.bytes)) {
                    Path dest = root.base;
                    if (names.size() == n && type != FileState.Type.DIRECTORY && roots.size() == 1) {
                        // A single root that is itself a file: the output directory holds it under its name.
                        return n == 0 ? dest : dest.resolve(names.get(n - 1));
                    }
                    for (String name : names.subList(n, names.size())) {
                        dest = dest.resolve(name);
                    }
                    if (!dest.startsWith(out)) {
                        throw new RefusedException("it would land outside the output directory");
                    }
                    return dest;
                }
            }
            throw new RefusedException("it is not under a recorded root");
        }

        private int rootDepth(Root root) {
            List<String> names = components(root.bytes);
            return names == null ? 0 : names.size();
        }

        /** Creates missing parents and checks that each parent is a real directory, never following a symlink. */
        private void ensureParents(Path dest) throws IOException, RefusedException {
            Path cur = out;
            for (Path name : out.relativize(dest.getParent())) {
                cur = cur.resolve(name);
                BasicFileAttributes a = lstat(cur);
                if (a != null && a.isDirectory()) {
                    continue;
                }
                if (a != null && written.contains(cur)) {
                    throw new RefusedException("its parent " + out.relativize(cur) + " is a "
                            + (a.isSymbolicLink() ? "symlink" : "file") + " in the recorded tree, and symlinks are never followed");
                }
                clear(cur, a);
                Files.createDirectory(cur);
                written.add(cur);
            }
        }

        /**
         * Makes room for a new entry at {@code p}: an entry this export did not write is removed itself (a
         * symlink is unlinked, not followed); one it did write means two recorded entries collide.
         */
        private void clear(Path p, BasicFileAttributes a) throws IOException, RefusedException {
            if (a == null) {
                return;
            }
            if (written.contains(p)) {
                throw new RefusedException("another recorded entry was already written at " + out.relativize(p));
            }
            if (!force) {
                throw new RefusedException("something is already at " + out.relativize(p));
            }
            if (a.isDirectory()) {
                deleteTree(p);
            } else {
                Files.delete(p);
            }
        }

        /**
         * Two paths that are one file at the instant are exported as one file with two names: a path that got its
         * name as a hard link of another, where both have had the same changes since (each change to a file is
         * recorded under every name it has, at one time and sequence; a name replaced since has changes of its
         * own), is linked to the other's export. Oldest links first, so chains end on one file.
         */
        private void linkWhatIsOneFile(long atNs) throws IOException {
            links.sort(Comparator.comparingLong((Link l) -> l.by.timeNs()).thenComparingLong(l -> l.by.sequence()));
            for (Link l : links) {
                Path other = regular.get(ByteBuffer.wrap(l.by.record().target()));
                if (other != null && sameChangesSince(l.path, l.by.record().target(), l.by, atNs)) {
                    Files.delete(l.dest);
                    Files.createLink(l.dest, other);
                }
            }
        }

        private boolean sameChangesSince(byte[] a, byte[] b, Version link, long atNs) {
            return changesSince(a, link, atNs).equals(changesSince(b, link, atNs));
        }

        /** The (time, sequence) of each version of {@code path} after {@code link} and at or before {@code atNs}. */
        private List<List<Long>> changesSince(byte[] path, Version link, long atNs) {
            List<List<Long>> out = new ArrayList<>();
            for (Version v : store.versions(recording.id()).history(path)) {
                boolean after = v.timeNs() > link.timeNs() || (v.timeNs() == link.timeNs() && v.sequence() > link.sequence());
                if (after && v.timeNs() <= atNs) {
                    out.add(List.of(v.timeNs(), v.sequence()));
                }
            }
            return out;
        }

        /**
         * With {@code force}, {@code out} becomes the tree at the instant: what an earlier export (or anything else)
         * left there that this one did not write goes, symlinks never followed. The directories leading to a root
         * stay.
         */
        private void removeWhatWasNotThere() throws IOException {
            Set<Path> keep = new HashSet<>();
            // what was written, the directories a root's contents go under, and their ancestors up to out
            Stream.concat(written.stream(), roots.stream().map(Root::base)).forEach(p -> {
                for (Path q = p; q != null && q.startsWith(out) && keep.add(q); q = q.getParent()) {
                    // up to out, or to an ancestor already kept
                }
            });
            deleteTree(out, keep::contains);
        }

        private void setDirectoryModes() {
            Integer[] order = new Integer[directories.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingInt((Integer i) -> directories.get(i).getNameCount()).reversed());
            for (int i : order) {
                try {
                    setMode(directories.get(i), directoryModes.get(i));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /**
     * The components of an absolute path, or {@code null} if it is not normalised (empty, {@code .} or
     * {@code ..} components, a NUL byte) or a component cannot be named through the JDK.
     */
    static List<String> components(byte[] path) {
        if (path.length == 0 || path[0] != '/') {
            return null;
        }
        List<String> names = new ArrayList<>();
        if (path.length == 1) {
            return names;
        }
        int start = 1;
        for (int i = 1; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                byte[] c = Arrays.copyOfRange(path, start, i);
                if (c.length == 0 || (c.length == 1 && c[0] == '.') || (c.length == 2 && c[0] == '.' && c[1] == '.')) {
                    return null;
                }
                for (byte x : c) {
                    if (x == 0) {
                        return null;
                    }
                }
                Optional<String> name = PathBytes.name(c);
                if (name.isEmpty()) {
                    return null;
                }
                names.add(name.get());
                start = i + 1;
            }
        }
        return names;
    }

    /** Whether {@code path} is {@code root} or below it. */
    private static boolean startsWith(byte[] path, byte[] root) {
        if (root.length == 1 && root[0] == '/') {
            return true;
        }
        return path.length >= root.length && Arrays.equals(path, 0, root.length, root, 0, root.length)
                && (path.length == root.length || path[root.length] == '/');
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Sets every mode bit (setuid, setgid and sticky too) through a handle opened without following links. */
    private static void setMode(Path p, int mode) throws IOException {
        try {
            Files.setAttribute(p, "unix:mode", mode & 07777, NOFOLLOW);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class, NOFOLLOW)
                    .setPermissions(PosixFilePermissions.fromString(rwx(mode)));
        }
    }

    private static String rwx(int mode) {
        StringBuilder s = new StringBuilder(9);
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
        }
        return s.toString();
    }

    /** Deletes a directory tree without following any symlink in it. */
    private static void deleteTree(Path dir) throws IOException {
        deleteTree(dir, p -> false);
    }

    /**
     * Deletes what is in a directory tree but what {@code keep} accepts (the directories of a kept entry must be
     * kept too), following no symlink.
     */
    private static void deleteTree(Path dir, java.util.function.Predicate<Path> keep) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!keep.test(file)) {
                    Files.delete(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                if (!keep.test(d)) {
                    Files.delete(d);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
