/**
 * The {@code ebpf} event source: every file change of a process tree, with the exact bytes written, from
 * raw syscall tracepoints, through {@code libbpf.so.1}.
 *
 * <p>Obtain it through {@link java.util.ServiceLoader} as the {@link dev.timemachine.api.spi.EventSourceProvider}
 * named {@code ebpf} ({@link dev.timemachine.capture.ebpf.EbpfEventSourceProvider}). Configuration keys
 * (all optional, unknown keys ignored): {@code ringBufferBytes} (power of two, default 128 MiB),
 * {@code wakeupBytes} (default 1 MiB), {@code chunkBytes} (payload bytes per WRITE event, default 1 MiB),
 * {@code pollSliceMs} (default 4).
 *
 * <p>Needs Linux with kernel BTF, root (or CAP_BPF + CAP_PERFMON) and {@code libbpf.so.1}; otherwise
 * {@code isAvailable()} is false and {@code unavailabilityCause()} says which is missing. The BPF object is
 * packaged in the jar (built from {@code bpf/} in the source tree); clang is not needed at run time.
 */
package dev.timemachine.capture.ebpf;
