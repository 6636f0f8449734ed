package dev.timemachine.capture.ebpf;

import dev.timemachine.api.spi.NativeLibraryCache;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Points jffi (jnr-ffi's native half) at a copy of its stub library in the per-user
 * {@link NativeLibraryCache}. Left alone, jffi writes the stub from its jar to a new temporary file on every
 * start and loads that, about 30 ms on the path of {@code record}'s start-up (the BPF programs load after it).
 */
final class JffiStub {
    /** jffi's own setting: a directory holding {@code <platform>/libjffi-M.m.so} or {@code libjffi-M.m.so}. */
    static final String BOOT_PATH = "jffi.boot.library.path";
    /**
     * The stub's name in jffi 1.3 (its ABI version, not jffi's). Not read from StubLoader: touching that class
     * loads the stub. Should a later jffi look for another name, it finds none here and extracts its own.
     */
    private static final String STUB = "libjffi-1.2.so";

    private JffiStub() {
    }

    /**
     * Sets {@link #BOOT_PATH} to the cached stub's directory, unless it is set already or this platform's stub
     * is not one known here; call before anything uses jnr-ffi (once jffi is loaded, the setting is not read).
     * Best effort: when it cannot, jffi extracts its stub as before.
     */
    static void useCached() {
        String platform = platform();
        if (System.getProperty(BOOT_PATH) != null || platform == null) {
            return;
        }
        Path stub = NativeLibraryCache.cached(JffiStub.class.getClassLoader(), "jni/" + platform + "/" + STUB, "jffi", STUB);
        if (stub != null) {
            System.setProperty(BOOT_PATH, stub.getParent().toString());
        }
    }

    /** jffi's name for this platform's directory in its jar, for the Linux platforms it ships; else null. */
    static String platform() {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return null;
        }
        return switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64-Linux";
            case "aarch64", "arm64" -> "aarch64-Linux";
            default -> null;
        };
    }
}
