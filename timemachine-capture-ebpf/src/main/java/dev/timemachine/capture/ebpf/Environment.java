package dev.timemachine.capture.ebpf;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

/** The cheap checks made before asking the kernel anything. */
final class Environment {
    static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;

    private Environment() {
    }

    /** Why the capture cannot run here, or {@code null} when it may (the kernel has the last word). */
    static String check(NativeLibraries lib) {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "eBPF capture needs Linux; this is " + System.getProperty("os.name");
        }
        if (lib.loadFailure() != null) {
            return lib.loadFailure();
        }
        if (lib.libc.geteuid() != 0 && !hasCapabilities()) {
            return "eBPF capture needs root (or CAP_BPF and CAP_PERFMON); run as root";
        }
        if (!Files.isReadable(BTF)) {
            return "eBPF capture needs kernel BTF (" + BTF + " is missing); use a kernel built with CONFIG_DEBUG_INFO_BTF";
        }
        return null;
    }

    private static boolean hasCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    BigInteger caps = new BigInteger(line.substring(7).trim(), 16);
                    return caps.testBit(CAP_SYS_ADMIN) || caps.testBit(CAP_BPF) && caps.testBit(CAP_PERFMON);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
