/**
 * The {@code ebpf} event source: every file change of a process tree, with the exact bytes written, from
 * raw syscall tracepoints, through {@code libbpf.so.1}.
 *
 * <p>Obtain it through {@link java.util.ServiceLoader} as the {@link dev.timemachine.api.spi.EventSourceProvider}
 * named {@code ebpf} ({@link dev.timemachine.capture.ebpf.EbpfEventSourceProvider}). Configuration keys
 * (all optional, unknown keys ignored): {@code ringBufferBytes} (a power of two from 4 KiB to 1 GiB, default
 * 256 MiB), {@code wakeupBytes} (0 to {@code ringBufferBytes}, 0 waking the consumer for every record; default
 * 1 MiB), {@code chunkBytes} (payload bytes per WRITE event, 1 to min(15 MiB, {@code ringBufferBytes}/4);
 * default 1 MiB), {@code pollSliceMs} (1 to 1000, default 20). With a ring under 4 MiB, the two 1 MiB defaults
 * shrink to a quarter of it.
 *
 * <p>Needs Linux with kernel BTF, root (or CAP_BPF + CAP_PERFMON) and {@code libbpf.so.1}; otherwise
 * {@code isAvailable()} is false and {@code unavailabilityCause()} says which is missing. The BPF object is
 * packaged in the jar (built from {@code bpf/} in the source tree); clang is not needed at run time. What the
 * kernel allows, and why the capture is built on raw syscall tracepoints: {@code docs/kernel.md} in the
 * source tree.
 */
package dev.timemachine.capture.ebpf;
