package dev.timemachine.capture.ebpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;

/** The libc calls the ring-buffer reader needs. Public only because jnr-ffi requires it; not an API. */
public interface LibC {
    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 1;
    int EPOLL_CTL_ADD = 1;
    int EPOLLIN = 1;
    int EFD_CLOEXEC = 0x80000;
    int EFD_NONBLOCK = 0x800;

    @SaveError
    Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    int munmap(Pointer addr, @size_t long length);

    @SaveError
    int epoll_create1(int flags);

    @SaveError
    int epoll_ctl(int epfd, int op, int fd, @In byte[] event);

    @SaveError
    int epoll_wait(int epfd, @Out byte[] events, int maxEvents, int timeoutMs);

    int close(int fd);

    @SaveError
    int eventfd(int initval, int flags);

    @SaveError
    @size_t long read(int fd, @Out byte[] buf, @size_t long count);

    @SaveError
    @size_t long write(int fd, @In byte[] buf, @size_t long count);

    int geteuid();

    int getpagesize();
}
