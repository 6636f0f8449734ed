package dev.timemachine.capture.ebpf;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * libbpf and libc, loaded once per JVM. Loading never throws: a missing library is reported through
 * {@link #loadFailure()} so that {@code isAvailable()} can say why.
 */
final class NativeLibraries {
    /** The runtime soname: the unversioned {@code libbpf.so} exists only with libbpf-dev installed. */
    static final String LIBBPF = "libbpf.so.1";
    private static final String GLIBC = "libc.so.6";

    private static final NativeLibraries INSTANCE = new NativeLibraries();

    final LibBpf bpf;
    final LibC libc;
    final Runtime bpfRuntime;
    final Runtime libcRuntime;
    private final String loadFailure;

    private NativeLibraries() {
        LibBpf b = null;
        LibC c = null;
        String failure = null;
        try {
            JffiStub.useCached();
            c = LibraryLoader.create(LibC.class).load(cLibrary());
            b = LibraryLoader.create(LibBpf.class).load(LIBBPF);
            // silence libbpf's stderr printer: failures come back as errno plus the kernel log we ask for
            b.libbpf_set_print(null);
        } catch (LinkageError | RuntimeException e) {
            failure = (c == null ? "libc" : LIBBPF) + " could not be loaded (" + e.getMessage()
                    + "); install the libbpf1 package";
            b = null;
        }
        bpf = b;
        libc = c;
        bpfRuntime = b == null ? null : Runtime.getRuntime(b);
        libcRuntime = c == null ? null : Runtime.getRuntime(c);
        loadFailure = failure;
    }

    /**
     * glibc's soname when it loads, else "c": given a bare name, jnr-ffi lists every directory of the library
     * path looking for lib&lt;name&gt;.so.N (thousands of entries here, ~25 ms of start-up), where dlopen of a
     * soname finds it through the loader's cache at once.
     */
    private static String cLibrary() {
        // the flags jnr-ffi opens with (lazy, global): the instance it looks up next is this one
        return com.kenai.jffi.Library.getCachedInstance(GLIBC, com.kenai.jffi.Library.LAZY | com.kenai.jffi.Library.GLOBAL)
                != null ? GLIBC : "c";
    }

    static NativeLibraries get() {
        return INSTANCE;
    }

    /** Why the libraries are unusable, or {@code null}. */
    String loadFailure() {
        return loadFailure;
    }
}
