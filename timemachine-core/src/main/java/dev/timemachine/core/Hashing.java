package dev.timemachine.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 through the JDK, which uses the CPU's SHA extensions where present (docs/storage.md). */
final class Hashing {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Hashing::newSha256);

    private Hashing() {
    }

    static byte[] sha256(byte[] bytes) {
        return SHA256.get().digest(bytes);
    }

    /** A digest of its own, for hashing something piece by piece. */
    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
