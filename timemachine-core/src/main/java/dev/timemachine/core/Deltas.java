package dev.timemachine.core;

import io.sigpipe.jbsdiff.DefaultDiffSettings;
import io.sigpipe.jbsdiff.Diff;
import io.sigpipe.jbsdiff.DiffSettings;
import io.sigpipe.jbsdiff.InvalidHeaderException;
import io.sigpipe.jbsdiff.Patch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * bsdiff patches between versions of a small file, through jbsdiff (docs/storage.md, "Deltas"). The patch's
 * three streams are gzip-compressed, which jbsdiff's patcher recognises: bzip2, its default, cost several times
 * as long on small files for a few bytes less.
 */
final class Deltas {
    private static final DiffSettings SETTINGS = new DefaultDiffSettings(CompressorStreamFactory.GZIP);
    /** Where the length of the patched bytes is in a bsdiff header: after the magic and two lengths. */
    private static final int OUTPUT_LENGTH_AT = 24;
    private static final int HEADER = 32;

    private Deltas() {
    }

    /** A patch that turns {@code base} into {@code target}. */
    static byte[] diff(byte[] base, byte[] target) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + target.length / 8);
        try {
            Diff.diff(base, target, out, SETTINGS);
        } catch (IOException | InvalidHeaderException e) {
            // in memory, nothing fails but a bug
            throw new IllegalStateException("bsdiff failed", e);
        }
        return out.toByteArray();
    }

    /**
     * {@code patch} applied to {@code base}.
     *
     * @param maxLength the most bytes the result may have: a damaged patch never makes more
     * @throws IllegalArgumentException if the patch is damaged
     */
    static byte[] patch(byte[] base, byte[] patch, int maxLength) {
        long length = outputLength(patch);
        if (length < 0 || length > maxLength) {
            throw new IllegalArgumentException("the patch makes " + length + " bytes, more than " + maxLength);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) length);
        try {
            Patch.patch(base, patch, out);
        } catch (IOException | InvalidHeaderException | RuntimeException e) {
            throw new IllegalArgumentException("the patch cannot be applied: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** The length the header says the patched bytes have (bsdiff's sign-and-magnitude little-endian), or -1. */
    private static long outputLength(byte[] patch) {
        if (patch.length < HEADER) {
            return -1;
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (patch[OUTPUT_LENGTH_AT + i] & 0xff);
        }
        return (v & Long.MIN_VALUE) != 0 ? -1 : v;
    }
}
