package dev.timemachine.capture.ebpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;

/**
 * The part of libbpf 1.x ({@code libbpf.so.1}) the capture uses. Functions returning {@code int} return a
 * negative errno on failure; functions returning a pointer return {@code null} and set errno.
 *
 * <p>Public only because jnr-ffi generates its implementation in another class loader; not an API.
 */
public interface LibBpf {

    @SaveError
    Pointer bpf_object__open_mem(Pointer objBuf, @size_t long objBufSize, Pointer opts);

    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    Pointer bpf_object__next_program(Pointer obj, Pointer prev);

    String bpf_program__name(Pointer prog);

    int bpf_program__set_autoload(Pointer prog, boolean autoload);

    boolean bpf_program__autoload(Pointer prog);

    @SaveError
    Pointer bpf_program__attach(Pointer prog);

    int bpf_link__destroy(Pointer link);

    int bpf_map__set_max_entries(Pointer map, int maxEntries);

    int bpf_map__fd(Pointer map);

    int bpf_map_update_elem(int fd, @In byte[] key, @In byte[] value, long flags);

    int bpf_map_lookup_elem(int fd, @In byte[] key, @Out byte[] value);

    int libbpf_num_possible_cpus();

    /** With {@code null}, libbpf prints nothing: failures are reported through errno and the kernel log. */
    Pointer libbpf_set_print(Pointer fn);
}
