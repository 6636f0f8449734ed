package dev.timemachine.capture.ebpf;

import java.lang.invoke.VarHandle;
import jnr.ffi.Pointer;

/**
 * The consumer side of a BPF ring buffer, over its pages however they were obtained: {@link RingBuffer} maps the
 * kernel's, tests lay out synthetic ones in plain memory.
 *
 * <p>Layout (kernel/bpf/ringbuf.c): the consumer position at the start of {@code consumer}; the producer
 * position at the start of {@code producer}, and from {@code dataStart} the data area twice in a row, so that
 * a record wrapping around the end is contiguous. Positions only grow; a record at position p starts at data
 * offset p mod size, with the kernel's header ({@link RecordLayout}'s {@code RING_*}): a 32-bit length whose
 * BUSY bit says the producer has not committed it yet and DISCARD bit that it was discarded, then 4 bytes of
 * page offset for the kernel's own use; records, header included, are 8-byte aligned.
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
    private final long mask;

    /** Reads a ring of {@code size} bytes, a power of two, whose data area starts at {@code dataStart}. */
    RingReader(Pointer consumer, Pointer producer, long dataStart, long size) {
        this.consumer = consumer;
        this.producer = producer;
        this.dataStart = dataStart;
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
            long at = dataStart + (cons & mask);
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
}
