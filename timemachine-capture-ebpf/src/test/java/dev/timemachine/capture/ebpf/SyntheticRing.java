package dev.timemachine.capture.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Test fixture: a BPF ring buffer in plain heap memory, laid out as user space sees the kernel's, with the
 * kernel's producer side (kernel/bpf/ringbuf.c) written out independently of the reader: reserve, commit,
 * discard. The data area follows the producer page once, as {@link RingBuffer} maps it, so a record wrapping
 * around the end lies in two pieces just as it does in the real mapping; a read outside the mapping throws
 * instead of reading garbage.
 */
final class SyntheticRing {
    static final int PAGE = 4096;
    private static final int BUSY = 1 << 31;
    private static final int DISCARD = 1 << 30;
    /** Pages of struct bpf_ringbuf before its data: metadata, consumer position, producer position. */
    private static final int PAGES_BEFORE_DATA = 3;

    private final long size;
    private final ByteBuffer consumerPage = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer producerPages;
    private final RingReader reader;

    /** A ring of {@code size} bytes (a power of two, at least a page) whose positions both start at {@code start}. */
    SyntheticRing(long size, long start) {
        this.size = size;
        producerPages = ByteBuffer.allocate(Math.toIntExact(PAGE + size)).order(ByteOrder.LITTLE_ENDIAN);
        consumerPage.putLong(0, start);
        producerPages.putLong(0, start);
        Runtime rt = Runtime.getSystemRuntime();
        reader = new RingReader(Pointer.wrap(rt, consumerPage), Pointer.wrap(rt, producerPages), PAGE, size);
    }

    RingReader reader() {
        return reader;
    }

    long producerPosition() {
        return producerPages.getLong(0);
    }

    long consumerPosition() {
        return consumerPage.getLong(0);
    }

    /**
     * Reserves room for a sample of {@code length} bytes and writes it, as bpf_ringbuf_reserve does (the
     * header BUSY until committed) followed by the program filling it in.
     *
     * @return the record's position, for {@link #commit} or {@link #discard}
     */
    long reserve(byte[] sample) {
        long pos = producerPosition();
        long total = (sample.length + 8 + 7) & ~7L;
        if (pos + total - consumerPosition() > size) {
            throw new IllegalStateException("ring full: the kernel would drop this record");
        }
        byte[] hdr = new byte[8];
        ByteBuffer.wrap(hdr).order(ByteOrder.LITTLE_ENDIAN).putInt(0, sample.length | BUSY)
                .putInt(4, PAGES_BEFORE_DATA + (int) ((pos & (size - 1)) / PAGE)); // for the kernel's own use
        write(pos, hdr);
        write(pos + 8, sample);
        producerPages.putLong(0, pos + total);
        return pos;
    }

    /** bpf_ringbuf_submit: clears BUSY. */
    void commit(long pos) {
        write(pos, lengthWord(readLength(pos) & ~BUSY));
    }

    /** bpf_ringbuf_discard: clears BUSY, sets DISCARD. */
    void discard(long pos) {
        write(pos, lengthWord((readLength(pos) & ~BUSY) | DISCARD));
    }

    /** bpf_ringbuf_output: reserve and commit at once. */
    long submit(byte[] sample) {
        long pos = reserve(sample);
        commit(pos);
        return pos;
    }

    private int readLength(long pos) {
        return producerPages.getInt(PAGE + (int) (pos & (size - 1)));
    }

    private static byte[] lengthWord(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, v).array();
    }

    /** Writes bytes at a ring position, wrapping around the end of the data area. */
    private void write(long pos, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            producerPages.put(PAGE + (int) ((pos + i) & (size - 1)), bytes[i]);
        }
    }
}
