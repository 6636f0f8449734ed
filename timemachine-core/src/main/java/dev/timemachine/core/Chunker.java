package dev.timemachine.core;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Content-defined chunking (FastCDC: a gear rolling hash with normalised chunk sizes, 2 to 64 KiB, about
 * 8 KiB on average). Boundaries depend on the bytes around them, not on offsets, so an edit or an append
 * changes only the chunks it touches and the versions of a file share the rest (docs/storage.md: chunks win
 * for appends and local edits).
 */
final class Chunker {
    static final int MIN = 2 * 1024;
    static final int AVG = 8 * 1024;
    static final int MAX = 64 * 1024;
    /** Harder to match before the average size, easier after: sizes cluster around the average. */
    private static final long MASK_S = 0x0003590703530000L;
    private static final long MASK_L = 0x0000d90003530000L;
    private static final long[] GEAR = new long[256];

    static {
        SplittableRandom r = new SplittableRandom(0x54494d454d414348L); // fixed: boundaries must never change
        for (int i = 0; i < GEAR.length; i++) {
            GEAR[i] = r.nextLong();
        }
    }

    private Chunker() {
    }

    /** The end offsets of the chunks of {@code data}, last one {@code data.length}. */
    static List<Integer> boundaries(byte[] data) {
        return boundaries(data, 0, data.length);
    }

    /** The end offsets (in {@code data}) of the chunks of {@code data[from, to)}, last one {@code to}. */
    static List<Integer> boundaries(byte[] data, int from, int to) {
        List<Integer> ends = new ArrayList<>((to - from) / AVG + 1);
        int start = from;
        while (start < to) {
            start += cut(data, start, to - start);
            ends.add(start);
        }
        return ends;
    }

    private static int cut(byte[] b, int start, int n) {
        if (n <= MIN) {
            return n;
        }
        int limit = Math.min(n, MAX);
        int normal = Math.min(limit, AVG);
        long fp = 0;
        int i = MIN;
        for (; i < normal; i++) {
            fp = (fp << 1) + GEAR[b[start + i] & 0xFF];
            if ((fp & MASK_S) == 0) {
                return i;
            }
        }
        for (; i < limit; i++) {
            fp = (fp << 1) + GEAR[b[start + i] & 0xFF];
            if ((fp & MASK_L) == 0) {
                return i;
            }
        }
        return i;
    }
}
