package dev.timemachine.api;

import java.util.Arrays;
import java.util.HexFormat;

/** The SHA-256 of a piece of content: its address in the {@link ContentStore}. Immutable. */
public final class ContentHash implements Comparable<ContentHash> {
    /** Length of a hash in bytes. */
    public static final int LENGTH = 32;

    private final byte[] bytes;

    private ContentHash(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps a copy of the given 32 bytes. */
    public static ContentHash of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a content hash has " + LENGTH + " bytes, not " + bytes.length);
        }
        return new ContentHash(bytes.clone());
    }

    /** The SHA-256 of {@code bytes}. */
    public static ContentHash sha256(byte[] bytes) {
        try {
            return new ContentHash(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** Parses 64 hex digits. */
    public static ContentHash ofHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentHash h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(ContentHash o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
