package dev.timemachine.core;

import dev.timemachine.api.ApproximateReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The compactor's view of the recorded tree at the compacted position: which paths exist, what they are,
 * and which names share an inode (hard links), so a write through one name is recorded for every name. Not
 * thread-safe: owned by the compactor thread.
 */
final class TreeState {

    /** A regular file's inode: what all its names share. */
    static final class Inode {
        long size;
        int mode;
        boolean approximate;
        /** Why, when {@link #approximate}. */
        ApproximateReason reason = ApproximateReason.UNSAID;
        /**
         * Approximate only through shared mappings since it was last exact: once what they stored is read back
         * and no process maps it any more, it is exact again.
         */
        boolean mappedOnly;
        /** Change records since the last base record: bounds the cost of rebuilding the file. */
        int changes;
        long changedBytes;
        /**
         * The file's bytes as its records so far rebuild them, in the first {@code size} bytes (zeros after them),
         * when the compactor holds them ({@link VersionWriter}), once the writes it defers are copied in; null when
         * it does not.
         */
        byte[] held;
        /** Whether {@link #held} is also content waiting to be stored, and so must be copied before a change. */
        boolean heldShared;
        /**
         * The hashing and chunking of the last keyframe made from {@link #held}, while nothing before its end has
         * changed since; null otherwise, and always when {@link #held} is.
         */
        GrowingContent growing;
        final List<byte[]> names = new ArrayList<>();

        Inode(long size, int mode) {
            this.size = size;
            this.mode = mode;
        }

        void removeName(byte[] name) {
            names.removeIf(n -> Arrays.equals(n, name));
        }
    }

    /** What a path is. */
    sealed interface Node permits File, Dir, Symlink {
    }

    record File(Inode inode) implements Node {
    }

    record Dir(int mode) implements Node {
    }

    record Symlink(byte[] target) implements Node {
    }

    private final NavigableMap<byte[], Node> nodes = new TreeMap<>(Arrays::compareUnsigned);

    Node get(byte[] path) {
        return nodes.get(path);
    }

    void put(byte[] path, Node node) {
        Node old = nodes.put(path, node);
        if (old instanceof File f && (!(node instanceof File nf) || nf.inode() != f.inode())) {
            f.inode().removeName(path);
        }
        if (node instanceof File f && (!(old instanceof File of) || of.inode() != f.inode())) {
            f.inode().names.add(path);
        }
    }

    void remove(byte[] path) {
        Node old = nodes.remove(path);
        if (old instanceof File f) {
            f.inode().removeName(path);
        }
    }

    /** {@code path} and every path below it, in path order (a copy). */
    NavigableMap<byte[], Node> subtree(byte[] path) {
        NavigableMap<byte[], Node> out = new TreeMap<>(Arrays::compareUnsigned);
        Node self = nodes.get(path);
        if (self != null) {
            out.put(path, self);
        }
        byte[] from = childPrefix(path);
        byte[] to = from.clone();
        to[to.length - 1]++; // '/' + 1 = '0': just past every child
        out.putAll(nodes.subMap(from, true, to, false));
        return out;
    }

    /** Every path, in path order. */
    Map<byte[], Node> all() {
        return nodes;
    }

    int size() {
        return nodes.size();
    }

    static byte[] childPrefix(byte[] dir) {
        if (dir.length > 0 && dir[dir.length - 1] == '/') {
            return dir;
        }
        byte[] p = Arrays.copyOf(dir, dir.length + 1);
        p[dir.length] = '/';
        return p;
    }

    /** {@code path} moved from below {@code from} to below {@code to}. */
    static byte[] rebase(byte[] path, byte[] from, byte[] to) {
        byte[] out = Arrays.copyOf(to, to.length + path.length - from.length);
        System.arraycopy(path, from.length, out, to.length, path.length - from.length);
        return out;
    }
}
