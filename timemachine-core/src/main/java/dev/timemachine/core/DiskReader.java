package dev.timemachine.core;

import dev.timemachine.api.FileState;
import dev.timemachine.api.TimeMachineException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads files as they are on disk now, never following symlinks: for the baseline and for changes the
 * capture could not see byte for byte. Paths cross between bytes and {@link Path} through {@link PathBytes}.
 */
final class DiskReader {
    private long specialFiles;

    /** Larger files are not read into memory; their versions are approximate. */
    static final long MAX_CONTENT = 1L << 30;

    /** One path on disk. {@code content} is null for a file that could not be read. */
    record Entry(byte[] path, FileState.Type type, int mode, byte[] content, byte[] target, long dev, long ino,
                 long size, long mtimeNs) {
        /** The same entry under another path. */
        Entry at(byte[] other) {
            return new Entry(other, type, mode, content, target, dev, ino, size, mtimeNs);
        }
    }

    /** The JDK's name for these path bytes, or empty when its file-name charset cannot represent them. */
    static Optional<Path> toPath(byte[] path) {
        return PathBytes.name(path).map(Path::of);
    }

    static byte[] toBytes(Path path) {
        return PathBytes.bytes(path);
    }

    /** The entry at {@code path} with its content, or null if nothing is there. */
    Entry read(byte[] path) {
        Entry e = toPath(path).map(DiskReader::stat).orElse(null);
        return e == null || e.type() != FileState.Type.REGULAR ? e : withContent(e);
    }

    /** {@code path} and everything below it that {@code filter} accepts, parents first, with contents. */
    List<Entry> walk(byte[] path, PathFilter filter) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : walkMetadata(path, filter)) {
            out.add(e.type() == FileState.Type.REGULAR ? withContent(e) : e);
        }
        return out;
    }

    /** FIFOs, sockets and device nodes the walks met, and left out. */
    long specialFiles() {
        return specialFiles;
    }

    /** {@code path} and everything below it that {@code filter} accepts, parents first, without contents. */
    List<Entry> walkMetadata(byte[] path, PathFilter filter) {
        List<Entry> out = new ArrayList<>();
        Optional<Path> start = toPath(path);
        if (start.isEmpty()) {
            return out;
        }
        try {
            Files.walkFileTree(start.get(), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!filter.accepts(toBytes(dir))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    add(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (filter.accepts(toBytes(file))) {
                        if (attrs.isOther()) {
                            specialFiles++; // a FIFO, socket or device node: no file a recording holds
                        } else {
                            add(file);
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // gone since its directory was listed
                    }
                    throw exc;
                }

                private void add(Path p) {
                    Entry e = stat(p);
                    if (e != null) {
                        out.add(e);
                    }
                }
            });
        } catch (IOException e) {
            throw new TimeMachineException("cannot read " + PathBytes.display(path) + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Type, mode, identity and, for a symlink, its target; no content. Null if nothing is there. */
    static Entry stat(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,dev,ino,size,lastModifiedTime,isDirectory,isSymbolicLink,isRegularFile",
                    LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode") & 07777;
            long dev = (Long) a.get("dev");
            long ino = (Long) a.get("ino");
            long size = (Long) a.get("size");
            long mtime = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.NANOSECONDS);
            byte[] path = toBytes(p);
            if ((Boolean) a.get("isDirectory")) {
                return new Entry(path, FileState.Type.DIRECTORY, mode, null, null, dev, ino, 0, mtime);
            }
            if ((Boolean) a.get("isSymbolicLink")) {
                byte[] target = toBytes(Files.readSymbolicLink(p));
                return new Entry(path, FileState.Type.SYMLINK, 0777, null, target, dev, ino, 0, mtime);
            }
            if ((Boolean) a.get("isRegularFile")) {
                return new Entry(path, FileState.Type.REGULAR, mode, null, null, dev, ino, size, mtime);
            }
            return null; // sockets, fifos, devices are not recorded
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // unreadable is not absent: a path that vanished from the recording without a word would be wrong
            throw new TimeMachineException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * The entry with its content read; without it when the file is too large, gone, or unreadable, and then the
     * versions built from it are approximate, which every export and {@code info} reports.
     */
    static Entry withContent(Entry e) {
        Optional<Path> p = toPath(e.path());
        if (e.size() > MAX_CONTENT || p.isEmpty()) {
            return e;
        }
        try {
            byte[] bytes = Files.readAllBytes(p.get());
            return new Entry(e.path(), e.type(), e.mode(), bytes, null, e.dev(), e.ino(), bytes.length, e.mtimeNs());
        } catch (IOException ex) {
            return e;
        }
    }
}
