package dev.timemachine.capture.ebpf;

import dev.timemachine.api.NativeException;
import java.lang.invoke.VarHandle;
import jnr.ffi.Pointer;

/**
 * Reads a BPF ring buffer straight from its mmap'd pages, without libbpf's per-record callback.
 *
 * <p>Layout (kernel/bpf/ringbuf.c): the consumer position on the first page (mapped read-write), the
 * producer position on the second, then the data area mapped twice in a row so that a record wrapping
 * around the end is contiguous. Each record starts with the kernel's header, a 32-bit length whose bit 31
 * says the producer has not committed it yet and bit 30 that it was discarded, then 4 bytes of page offset;
 * records are 8-byte aligned ({@link RecordLayout}'s {@code RING_*}).
 *
 * <p>Single consumer: {@link #drain} must not be called concurrently. {@link #close} must not overlap a
 * drain; the owning source guarantees both.
 */
final class RingBuffer implements AutoCloseable {
    /** Receives one committed record; must copy what it keeps before returning. */
    interface RecordHandler {
        void record(Pointer mem, long offset, int length);
    }

    private final LibC libc;
    private final long size;
    private final long mask;
    private final int page;
    private final Pointer consumer;
    private final Pointer producer;
    private final int epfd;
    private final byte[] events = new byte[12 * 4];
    private boolean closed;

    RingBuffer(NativeLibraries lib, int mapFd, long size) {
        this.libc = lib.libc;
        this.size = size;
        this.mask = size - 1;
        this.page = libc.getpagesize();
        Pointer c = libc.mmap(null, page, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, mapFd, 0);
        if (failed(c)) {
            throw new NativeException("cannot mmap the ring buffer's consumer page", lib.libcRuntime.getLastError(), "");
        }
        Pointer p = libc.mmap(null, page + 2 * size, LibC.PROT_READ, LibC.MAP_SHARED, mapFd, page);
        if (failed(p)) {
            int errno = lib.libcRuntime.getLastError();
            libc.munmap(c, page);
            throw new NativeException("cannot mmap the ring buffer's data pages", errno, "");
        }
        int ep = libc.epoll_create1(0x80000 /* EPOLL_CLOEXEC */);
        byte[] ev = new byte[12];
        ev[0] = LibC.EPOLLIN;
        if (ep < 0 || libc.epoll_ctl(ep, LibC.EPOLL_CTL_ADD, mapFd, ev) < 0) {
            int errno = lib.libcRuntime.getLastError();
            if (ep >= 0) {
                libc.close(ep);
            }
            libc.munmap(c, page);
            libc.munmap(p, page + 2 * size);
            throw new NativeException("cannot poll the ring buffer", errno, "");
        }
        this.consumer = c;
        this.producer = p;
        this.epfd = ep;
    }

    private static boolean failed(Pointer p) {
        return p == null || p.address() == -1L || p.address() == 0;
    }

    /**
     * Hands over committed records in order, at most {@code max}, and frees their space.
     *
     * @return the number of records handed over (discarded ones not counted)
     */
    int drain(RecordHandler handler, int max) {
        long cons = consumer.getLong(0);
        long prod = producer.getLong(0);
        VarHandle.acquireFence(); // pairs with the producer's release of producer_pos
        int n = 0;
        while (cons < prod && n < max) {
            long at = page + (cons & mask);
            int len = producer.getInt(at);
            VarHandle.acquireFence(); // the record body is visible once BUSY is clear
            if ((len & RecordLayout.RING_BUSY) != 0) {
                break;
            }
            int length = len & ~(RecordLayout.RING_BUSY | RecordLayout.RING_DISCARD);
            if ((len & RecordLayout.RING_DISCARD) == 0) {
                handler.record(producer, at + RecordLayout.RING_HDR_SIZE, length);
                n++;
            }
            cons += (length + RecordLayout.RING_HDR_SIZE + RecordLayout.RING_ALIGN - 1) & -RecordLayout.RING_ALIGN;
            VarHandle.releaseFence(); // the kernel may reuse the space once it sees the new position
            consumer.putLong(0, cons);
            if (cons >= prod) {
                prod = producer.getLong(0);
                VarHandle.acquireFence();
            }
        }
        return n;
    }

    /** How far the kernel has reserved: every record committed by now ends at or before it. */
    long producerPosition() {
        long prod = producer.getLong(0);
        VarHandle.acquireFence();
        return prod;
    }

    /** How far records have been consumed. */
    long consumerPosition() {
        return consumer.getLong(0);
    }

    /**
     * Waits up to {@code timeoutMs} for the kernel to signal data. The kernel signals only above the
     * wakeup threshold, so callers drain after a timeout too.
     */
    void await(int timeoutMs) {
        libc.epoll_wait(epfd, events, events.length / 12, timeoutMs);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        libc.close(epfd);
        libc.munmap(consumer, page);
        libc.munmap(producer, page + 2 * size);
    }
}
