package dev.timemachine.capture.ebpf;

import java.lang.invoke.VarHandle;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * The consumer side of a BPF ring buffer, over its pages however they were obtained: {@link RingBuffer} maps the
 * kernel's, tests lay out synthetic ones in plain memory.
 *
 * <p>Layout (kernel/bpf/ringbuf.c): the consumer position at the start of {@code consumer}; the producer
 * position at the start of {@code producer}, and the data area from {@code dataStart}. Positions only grow; a
 * record at position p starts at data offset p mod size, with the kernel's header ({@link RecordLayout}'s
 * {@code RING_*}): a 32-bit length whose BUSY bit says the producer has not committed it yet and DISCARD bit
 * that it was discarded, then 4 bytes of page offset for the kernel's own use; records, header included, are
 * 8-byte aligned, so a header never straddles the end of the data area, but a body may.
 *
 * <p>The kernel would map the data area twice in a row, so that such a body reads contiguous; the data area
 * is read through one mapping instead, which keeps the ring's pages counted once in the recorder's resident
 * memory, and the rare body that wraps around the end is copied together into a buffer of the reader's own.
 *
 * <p>Single consumer: {@link #drain} must not be called concurrently.
 */
final class RingReader {
    /** Receives one committed record; must copy what it keeps before returning. */
    interface RecordHandler {
        void record(Pointer mem, long offset, int length);
    }

    private final Pointer consumer;
    private final Pointer producer;
    private final long dataStart;
    private final long size;
    private final long mask;
    /** Where a body wrapping around the end is put together; grown to the longest such body. */
    private Pointer unwrappedMemory;
    /**
     * The same memory as the kind of pointer the mapped ring is ({@link Pointer#wrap(jnr.ffi.Runtime, long)}
     * gives what jnr makes of the address mmap returns): at the first record that wrapped, a second kind of
     * pointer made C2 throw away the decoder's compiled code, a class check its profile had never failed.
     */
    private Pointer unwrapped;
    private long wrapped;

    /** Reads a ring of {@code size} bytes, a power of two, whose data area starts at {@code dataStart}. */
    RingReader(Pointer consumer, Pointer producer, long dataStart, long size) {
        this.consumer = consumer;
        this.producer = producer;
        this.dataStart = dataStart;
        this.size = size;
        this.mask = size - 1;
    }

    /**
     * Hands over committed records in order, at most {@code max}, and frees their space. Stops at the first
     * record not committed yet; discarded records are skipped.
     *
     * @return the number of records handed over (discarded ones not counted)
     */
    int drain(RecordHandler handler, int max) {
        long cons = consumer.getLong(0);
        long prod = producer.getLong(0);
        VarHandle.acquireFence(); // pairs with the producer's release of producer_pos
        int n = 0;
        while (cons < prod && n < max) {
            long offset = cons & mask;
            int len = producer.getInt(dataStart + offset);
            VarHandle.acquireFence(); // the record body is visible once BUSY is clear
            if ((len & RecordLayout.RING_BUSY) != 0) {
                break;
            }
            int length = len & ~(RecordLayout.RING_BUSY | RecordLayout.RING_DISCARD);
            if ((len & RecordLayout.RING_DISCARD) == 0) {
                long body = (offset + RecordLayout.RING_HDR_SIZE) & mask;
                if (body + length <= size) {
                    handler.record(producer, dataStart + body, length);
                } else {
                    handler.record(unwrap(body, length), 0, length);
                }
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

    /** The body at data offset {@code body} that runs past the end, in one piece. */
    private Pointer unwrap(long body, int length) {
        if (unwrappedMemory == null || unwrappedMemory.size() < length) {
            unwrappedMemory = Memory.allocateDirect(producer.getRuntime(), Math.max(length, 4096));
            unwrapped = Pointer.wrap(producer.getRuntime(), unwrappedMemory.address());
        }
        wrapped++;
        int first = (int) (size - body);
        producer.transferTo(dataStart + body, unwrapped, 0, first);
        producer.transferTo(dataStart, unwrapped, first, length - first);
        return unwrapped;
    }

    /** How far the kernel has reserved: every record committed by now ends at or before it. */
    long producerPosition() {
        long prod = producer.getLong(0);
        VarHandle.acquireFence();
        return prod;
    }

    /** How many records so far had a body running past the end of the data area. */
    long wrappedRecords() {
        return wrapped;
    }

    /** How far records have been consumed. */
    long consumerPosition() {
        return consumer.getLong(0);
    }
}
