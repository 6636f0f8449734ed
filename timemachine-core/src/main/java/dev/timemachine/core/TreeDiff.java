package dev.timemachine.core;

import dev.timemachine.api.FileState;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.core.TreeChange.Marker;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The paths of one recording that differ between two instants. Content is compared without reading it when
 * both sides are made of the same stored slices, and by streaming a SHA-256 of each side otherwise, so large
 * files are never held in memory.
 */
final class TreeDiff {
    private TreeDiff() {
    }

    /** The changes from {@code fromNs} to {@code toNs}, in path byte order (parents first). */
    static List<TreeChange> between(TimeMachineStore store, int recordingId, long fromNs, long toNs) {
        KvReplayer replayer = new KvReplayer(store, recordingId);
        List<byte[]> paths = new ArrayList<>();
        store.versions(recordingId).forEachPath(paths::add);
        paths.sort(Arrays::compareUnsigned);
        List<TreeChange> changes = new ArrayList<>();
        for (byte[] path : paths) {
            Rebuilt a = replayer.rebuild(path, fromNs, Long.MAX_VALUE);
            Rebuilt b = replayer.rebuild(path, toNs, Long.MAX_VALUE);
            TreeChange c = compare(store, path, a, b);
            if (c != null) {
                changes.add(c);
            }
        }
        return changes;
    }

    private static TreeChange compare(TimeMachineStore store, byte[] path, Rebuilt a, Rebuilt b) {
        if (a == null && b == null) {
            return null;
        }
        if (a == null) {
            return new TreeChange(path, Marker.A, null, b.toFileState(path), name(b.type));
        }
        if (b == null) {
            return new TreeChange(path, Marker.D, a.toFileState(path), null, name(a.type));
        }
        FileState fa = a.toFileState(path);
        FileState fb = b.toFileState(path);
        if (a.type != b.type) {
            return new TreeChange(path, Marker.T, fa, fb, name(a.type) + " -> " + name(b.type));
        }
        List<String> what = new ArrayList<>();
        if (a.type == FileState.Type.SYMLINK && !Arrays.equals(a.target, b.target)) {
            what.add("target " + PathBytes.display(a.target) + " -> " + PathBytes.display(b.target));
        }
        if (a.type == FileState.Type.REGULAR && !sameContent(store, a.layout, b.layout)) {
            what.add(a.size() == b.size() ? "content" : "size " + a.size() + " -> " + b.size());
        }
        if (a.mode != b.mode) {
            what.add(String.format("mode %04o -> %04o", a.mode, b.mode));
        }
        return what.isEmpty() ? null : new TreeChange(path, Marker.M, fa, fb, String.join(", ", what));
    }

    private static boolean sameContent(TimeMachineStore store, ContentLayout a, ContentLayout b) {
        if (a.size() != b.size()) {
            return false;
        }
        if (sameSlices(a, b)) {
            return true;
        }
        return Arrays.equals(digest(store, a), digest(store, b));
    }

    private static boolean sameSlices(ContentLayout a, ContentLayout b) {
        var ia = a.segments().iterator();
        var ib = b.segments().iterator();
        while (ia.hasNext() && ib.hasNext()) {
            if (!ia.next().sameBytesAs(ib.next())) {
                return false;
            }
        }
        return !ia.hasNext() && !ib.hasNext();
    }

    private static byte[] digest(TimeMachineStore store, ContentLayout layout) {
        MessageDigest md = Hashing.newSha256();
        try (OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
            layout.writeTo(sink, store.content());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return md.digest();
    }


    private static String name(FileState.Type t) {
        return switch (t) {
            case REGULAR -> "file";
            case DIRECTORY -> "directory";
            case SYMLINK -> "symlink";
        };
    }
}
