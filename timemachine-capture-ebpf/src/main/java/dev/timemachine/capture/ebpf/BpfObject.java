package dev.timemachine.capture.ebpf;

import dev.timemachine.api.NativeException;
import dev.timemachine.api.TimeMachineException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * The capture's BPF object, opened from the jar resource, loaded into the kernel and attached.
 *
 * <p>Everything is fd-based (no pinning), so closing it, or the JVM exiting, detaches every program.
 * Not thread-safe: the owning {@link EbpfEventSource} serialises access.
 */
final class BpfObject implements AutoCloseable {
    static final String RESOURCE = "timemachine.bpf.o";
    private static final int LOG_SIZE = 4 << 20;
    private static final int LOG_TAIL = 6000;

    private final NativeLibraries lib;
    // libbpf reads the ELF image in place until the object is closed
    private final Pointer elf;
    private final Pointer opts;
    private final Pointer log;
    private final List<Pointer> links = new ArrayList<>();
    private Pointer obj;

    private BpfObject(NativeLibraries lib, Pointer elf, Pointer opts, Pointer log, Pointer obj) {
        this.lib = lib;
        this.elf = elf;
        this.opts = opts;
        this.log = log;
        this.obj = obj;
    }

    /**
     * Opens and loads the object with a ring buffer of {@code ringBytes}.
     *
     * @throws NativeException when libbpf or the kernel refuses, with the verifier log as detail
     */
    static BpfObject load(NativeLibraries lib, long ringBytes) {
        // The verifier gives up with EAGAIN when signals keep interrupting it (a sampling profiler, say):
        // a few more tries, each from a freshly opened object, since a failed load cannot be repeated.
        for (int attempt = 1; ; attempt++) {
            try {
                try {
                    return load(lib, ringBytes, RESOURCE, true);
                } catch (NativeException e) {
                    if (e.errno() == EAGAIN) {
                        throw e;
                    }
                    try {
                        return load(lib, ringBytes, RESOURCE, false);
                    } catch (NativeException without) {
                        throw e; // not for want of an optional feature: say what the whole object met
                    }
                }
            } catch (NativeException e) {
                if (e.errno() != EAGAIN || attempt == LOAD_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Programs named so attach to what a kernel may lack (io_uring's tracepoints, with io_uring): when the
     * object does not load with them, it is loaded without them, since what they watch cannot happen then.
     */
    static final String OPTIONAL_PREFIX = "tm_opt_";

    private static final int EAGAIN = 11;
    private static final int LOAD_ATTEMPTS = 5;

    /** Loads the object stored as {@code resource} next to this class (tests load deliberately bad ones). */
    static BpfObject load(NativeLibraries lib, long ringBytes, String resource) {
        return load(lib, ringBytes, resource, true);
    }

    private static BpfObject load(NativeLibraries lib, long ringBytes, String resource, boolean optional) {
        byte[] bytes = readResource(resource);
        jnr.ffi.Runtime rt = lib.bpfRuntime;
        Pointer elf = Memory.allocateDirect(rt, bytes.length);
        elf.put(0, bytes, 0, bytes.length);
        Pointer log = Memory.allocateDirect(rt, LOG_SIZE);
        log.putByte(0, (byte) 0);
        // struct bpf_object_open_opts of libbpf 1.1: sz, ..., kernel_log_buf@56, kernel_log_size@64, level@72
        Pointer opts = Memory.allocateDirect(rt, 80);
        for (int i = 0; i < 80; i += 8) {
            opts.putLong(i, 0);
        }
        opts.putLong(0, 80);
        opts.putAddress(56, log.address());
        opts.putLong(64, LOG_SIZE);
        opts.putInt(72, 0);
        Pointer obj = lib.bpf.bpf_object__open_mem(elf, bytes.length, opts);
        if (obj == null) {
            throw new NativeException("libbpf could not open the capture's BPF object", rt.getLastError(), "");
        }
        BpfObject o = new BpfObject(lib, elf, opts, log, obj);
        try {
            for (Pointer p = lib.bpf.bpf_object__next_program(obj, null); p != null && !optional;
                    p = lib.bpf.bpf_object__next_program(obj, p)) {
                if (lib.bpf.bpf_program__name(p).startsWith(OPTIONAL_PREFIX)) {
                    lib.bpf.bpf_program__set_autoload(p, false);
                }
            }
            int err = lib.bpf.bpf_map__set_max_entries(o.map("rb"), (int) ringBytes);
            if (err < 0) {
                throw new NativeException("cannot size the ring buffer to " + ringBytes + " bytes", -err, "");
            }
            err = lib.bpf.bpf_object__load(obj);
            if (err < 0) {
                throw new NativeException("the kernel refused the capture's BPF programs", -err, o.logTail());
            }
            return o;
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** Attaches every program; on failure, detaches those already attached. */
    void attachAll() {
        for (Pointer p = lib.bpf.bpf_object__next_program(obj, null); p != null;
                p = lib.bpf.bpf_object__next_program(obj, p)) {
            if (!lib.bpf.bpf_program__autoload(p)) {
                continue; // not loaded
            }
            Pointer link = lib.bpf.bpf_program__attach(p);
            if (link == null) {
                int errno = lib.bpfRuntime.getLastError();
                detach();
                throw new NativeException("cannot attach BPF program " + lib.bpf.bpf_program__name(p), errno, "");
            }
            links.add(link);
        }
    }

    int mapFd(String name) {
        int fd = lib.bpf.bpf_map__fd(map(name));
        if (fd < 0) {
            throw new NativeException("BPF map " + name + " has no fd", -fd, "");
        }
        return fd;
    }

    private Pointer map(String name) {
        Pointer m = lib.bpf.bpf_object__find_map_by_name(obj, name);
        if (m == null) {
            throw new TimeMachineException("the capture's BPF object has no map '" + name + "': stale " + RESOURCE);
        }
        return m;
    }

    private String logTail() {
        String s = log.getString(0, LOG_SIZE, StandardCharsets.UTF_8).strip();
        return s.length() <= LOG_TAIL ? s : "... " + s.substring(s.length() - LOG_TAIL);
    }

    private void detach() {
        for (Pointer l : links) {
            lib.bpf.bpf_link__destroy(l);
        }
        links.clear();
    }

    @Override
    public void close() {
        if (obj == null) {
            return;
        }
        detach();
        lib.bpf.bpf_object__close(obj);
        obj = null;
    }

    private static byte[] readResource(String resource) {
        try (InputStream in = BpfObject.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new TimeMachineException("the jar holds no " + resource + ": rebuild timemachine-capture-ebpf");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new TimeMachineException("cannot read " + resource + " from the jar", e);
        }
    }
}
