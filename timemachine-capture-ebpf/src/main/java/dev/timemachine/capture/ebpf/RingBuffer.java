package dev.timemachine.capture.ebpf;

import dev.timemachine.api.NativeException;
import jnr.ffi.Pointer;

/**
 * A BPF ring buffer read straight from its mmap'd pages, without libbpf's per-record callback: the mapping and
 * the wakeups live here, the reading in {@link RingReader}.
 *
 * <p>The consumer position's page is mapped read-write at offset 0; the producer position's page and, after it,
 * the data area read-only at offset one page, once: the kernel would map the data pages a second time after
 * the first, which would count them twice in the recorder's resident memory; {@link RingReader} puts the rare
 * record that wraps around the end together itself.
 *
 * <p>Single consumer: {@link #drain} must not be called concurrently. {@link #close} must not overlap a
 * drain; the owning source guarantees both.
 */
final class RingBuffer implements AutoCloseable {
    /** The epoll_data of the eventfd's registration (the ring's is 0). */
    private static final byte WAKE = 1;
    private final LibC libc;
    private final long size;
    private final int page;
    private final Pointer consumer;
    private final Pointer producer;
    private final RingReader reader;
    private final int epfd;
    /** An eventfd in the same epoll set: {@link #wake} makes it readable. */
    private final int wakeFd;
    private final byte[] counter = new byte[8];
    private final byte[] events = new byte[12 * 4];
    private boolean closed;

    RingBuffer(NativeLibraries lib, int mapFd, long size) {
        this.libc = lib.libc;
        this.size = size;
        this.page = libc.getpagesize();
        Pointer c = libc.mmap(null, page, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, mapFd, 0);
        if (failed(c)) {
            throw new NativeException("cannot mmap the ring buffer's consumer page", lib.libcRuntime.getLastError(), "");
        }
        Pointer p = libc.mmap(null, page + size, LibC.PROT_READ, LibC.MAP_SHARED, mapFd, page);
        if (failed(p)) {
            int errno = lib.libcRuntime.getLastError();
            libc.munmap(c, page);
            throw new NativeException("cannot mmap the ring buffer's data pages", errno, "");
        }
        int ep = libc.epoll_create1(0x80000 /* EPOLL_CLOEXEC */);
        int wake = libc.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        byte[] ev = new byte[12];
        ev[0] = LibC.EPOLLIN;
        byte[] wakeEv = ev.clone();
        wakeEv[4] = WAKE; // epoll_data: which fd woke the wait
        if (ep < 0 || wake < 0 || libc.epoll_ctl(ep, LibC.EPOLL_CTL_ADD, mapFd, ev) < 0
                || libc.epoll_ctl(ep, LibC.EPOLL_CTL_ADD, wake, wakeEv) < 0) {
            int errno = lib.libcRuntime.getLastError();
            if (ep >= 0) {
                libc.close(ep);
            }
            if (wake >= 0) {
                libc.close(wake);
            }
            libc.munmap(c, page);
            libc.munmap(p, page + size);
            throw new NativeException("cannot poll the ring buffer", errno, "");
        }
        this.consumer = c;
        this.producer = p;
        this.reader = new RingReader(c, p, page, size);
        this.epfd = ep;
        this.wakeFd = wake;
    }

    private static boolean failed(Pointer p) {
        return p == null || p.address() == -1L || p.address() == 0;
    }

    /** See {@link RingReader#drain}. */
    int drain(RingReader.RecordHandler handler, int max) {
        return reader.drain(handler, max);
    }

    /** See {@link RingReader#producerPosition}. */
    long producerPosition() {
        return reader.producerPosition();
    }

    /** See {@link RingReader#wrappedRecords}. */
    long wrappedRecords() {
        return reader.wrappedRecords();
    }

    /** See {@link RingReader#consumerPosition}. */
    long consumerPosition() {
        return reader.consumerPosition();
    }

    /**
     * Waits up to {@code timeoutMs} for the kernel to signal data, or for {@link #wake}. The kernel signals only
     * above the wakeup threshold, so callers drain after a timeout too.
     *
     * @return whether {@link #wake} was called since the last wait that returned true
     */
    boolean await(int timeoutMs) {
        int n = libc.epoll_wait(epfd, events, events.length / 12, timeoutMs);
        for (int i = 0; i < n; i++) {
            if (events[12 * i + 4] == WAKE) {
                libc.read(wakeFd, counter, 8); // resets the eventfd
                return true;
            }
        }
        return false;
    }

    /** Makes the wait under way return, or the next one if none is. Safe from any thread before close. */
    void wake() {
        byte[] one = {1, 0, 0, 0, 0, 0, 0, 0};
        libc.write(wakeFd, one, 8);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        libc.close(epfd);
        libc.close(wakeFd);
        libc.munmap(consumer, page);
        libc.munmap(producer, page + size);
    }
}
