package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The keyframes of one file whose bytes only grow between them, hashed and chunked a piece at a time: each
 * keyframe hashes and chunks only what follows the previous one (and that one's last chunk), not the whole file
 * again. A log grown by a million 64-byte writes gets a keyframe each time it is about 1.7 times as large as
 * at the last (docs/architecture.md §6), so hashing and chunking each whole were about a third of its
 * compaction.
 *
 * <p>It gives exactly what {@link KvContentStore} stores for the same bytes given whole: the same SHA-256 (the
 * digest's state after the previous keyframe's bytes is kept and carried on) and the same chunks. Every chunk
 * but the last ends where the content-defined cut found it, within {@link Chunker#MAX} of its start and short of
 * the end, and bytes appended after it cannot move that cut ({@link Chunker}); only the last chunk, cut by the
 * end of the bytes, is chunked again with what follows it.
 *
 * <p>The caller vouches that the bytes it passes start with the bytes it passed last time ({@link #length()}
 * of them), and drops this object when they may not.
 */
final class GrowingContent {
    /** A keyframe split into its chunks: the list to store under its hash, and the bytes of its new chunks. */
    record Chunked(ContentHash hash, List<ContentHash> parts, List<Integer> lengths, List<byte[]> newParts) {
    }

    /** The digest's state after the first {@link #length} bytes. */
    private final MessageDigest digest = Hashing.newSha256();
    private int length;
    /** The chunks before {@link #lastStart}: they stay the chunks of the bytes however many follow. */
    private final List<ContentHash> parts = new ArrayList<>();
    private final List<Integer> lengths = new ArrayList<>();
    private int lastStart;

    /** How many bytes the last keyframe had (0 before the first). */
    int length() {
        return length;
    }

    /**
     * The keyframe of {@code bytes[0, size)}, whose first {@link #length()} bytes are those of the last
     * keyframe; {@code size} is at least that and at least {@link KvContentStore#CHUNKED_FROM}.
     */
    Chunked next(byte[] bytes, int size) {
        if (size < length || size < KvContentStore.CHUNKED_FROM) {
            throw new IllegalArgumentException("a keyframe of " + size + " bytes after one of " + length);
        }
        digest.update(bytes, length, size - length);
        length = size;
        ContentHash hash;
        try {
            hash = ContentHash.of(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 digest cannot be copied", e);
        }
        List<ContentHash> all = new ArrayList<>(parts);
        List<Integer> allLengths = new ArrayList<>(lengths);
        List<byte[]> newParts = new ArrayList<>();
        int start = lastStart;
        for (int end : Chunker.boundaries(bytes, lastStart, size)) {
            byte[] part = Arrays.copyOfRange(bytes, start, end);
            ContentHash h = ContentHash.sha256(part);
            if (end < size) {
                // not the last: it stays a chunk of everything this file grows to
                parts.add(h);
                lengths.add(part.length);
                lastStart = end;
            }
            all.add(h);
            allLengths.add(part.length);
            newParts.add(part);
            start = end;
        }
        return new Chunked(hash, all, allLengths, newParts);
    }
}
