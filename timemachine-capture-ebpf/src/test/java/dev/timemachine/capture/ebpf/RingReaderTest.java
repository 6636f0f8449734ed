package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;

/** The ring buffer's consumer side against records laid out as the kernel lays them out, without root. */
class RingReaderTest {
    private static final int SIZE = 4 * SyntheticRing.PAGE;

    /** Copies each record handed over, as a handler must. */
    private static class Collected implements RingReader.RecordHandler {
        final List<byte[]> records = new ArrayList<>();

        @Override
        public void record(Pointer mem, long offset, int length) {
            byte[] b = new byte[length];
            mem.get(offset, b, 0, length);
            records.add(b);
        }
    }

    private static byte[] sample(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void committedRecordsComeInOrderWithTheirExactLengthAndTheirSpaceIsFreed() {
        SyntheticRing ring = new SyntheticRing(SIZE, 0);
        byte[] a = sample(1, 1);
        byte[] b = sample(8, 2);
        byte[] c = sample(61, 3);
        ring.submit(a);
        ring.submit(b);
        ring.submit(c);
        Collected got = new Collected();
        assertEquals(3, ring.reader().drain(got, 100));
        assertEquals(3, got.records.size());
        assertArrayEquals(a, got.records.get(0));
        assertArrayEquals(b, got.records.get(1));
        assertArrayEquals(c, got.records.get(2));
        // 8-byte header each, rounded up to 8: 16 + 16 + 72
        assertEquals(104, ring.consumerPosition(), "the consumer position, as the kernel reads it");
        assertEquals(ring.producerPosition(), ring.reader().consumerPosition());
        assertEquals(0, ring.reader().drain(got, 100), "nothing twice");
    }

    @Test
    void aDiscardedRecordIsSkippedAndItsSpaceFreed() {
        SyntheticRing ring = new SyntheticRing(SIZE, 0);
        ring.submit(sample(20, 1));
        ring.discard(ring.reserve(sample(100, 2)));
        byte[] after = sample(30, 3);
        ring.submit(after);
        Collected got = new Collected();
        assertEquals(2, ring.reader().drain(got, 100), "the discarded record is not counted");
        assertArrayEquals(after, got.records.get(1));
        assertEquals(ring.producerPosition(), ring.consumerPosition());
    }

    @Test
    void aRecordNotCommittedYetStopsTheReadUntilItIs() {
        SyntheticRing ring = new SyntheticRing(SIZE, 0);
        byte[] first = sample(10, 1);
        byte[] busy = sample(10, 2);
        byte[] third = sample(10, 3);
        ring.submit(first);
        long busyAt = ring.reserve(busy);
        ring.submit(third); // another CPU reserved later and committed first
        Collected got = new Collected();
        assertEquals(1, ring.reader().drain(got, 100));
        assertEquals(busyAt, ring.consumerPosition(), "consumed up to the busy record, not past it");
        assertEquals(0, ring.reader().drain(got, 100));
        ring.commit(busyAt);
        assertEquals(2, ring.reader().drain(got, 100));
        assertArrayEquals(busy, got.records.get(1));
        assertArrayEquals(third, got.records.get(2), "the order of reservation, not of commit");
    }

    @Test
    void aRecordWrappingAroundTheEndOfTheDataAreaReadsWhole() {
        // positions only grow: start two laps in, 24 bytes before the end of the data area
        long start = 3L * SIZE - 24;
        SyntheticRing ring = new SyntheticRing(SIZE, start);
        byte[] wrapping = sample(100, 1);
        byte[] atZero = sample(5, 2);
        ring.submit(wrapping); // header at 24 before the end, body across it: 112 bytes, ends at offset 88
        Collected got = new Collected();
        assertEquals(1, ring.reader().drain(got, 100));
        assertArrayEquals(wrapping, got.records.get(0));
        assertEquals(start + 112, ring.consumerPosition());

        SyntheticRing exact = new SyntheticRing(SIZE, 2L * SIZE - 16);
        exact.submit(sample(8, 3)); // fills the last 16 bytes: the next header is at offset 0
        exact.submit(atZero);
        Collected got2 = new Collected();
        assertEquals(2, exact.reader().drain(got2, 100));
        assertArrayEquals(atZero, got2.records.get(1));

        SyntheticRing headerLast = new SyntheticRing(SIZE, 2L * SIZE - 8);
        byte[] bodyAtZero = sample(40, 4);
        headerLast.submit(bodyAtZero); // the header in the last 8 bytes, the body from offset 0
        Collected got3 = new Collected();
        assertEquals(1, headerLast.reader().drain(got3, 100));
        assertArrayEquals(bodyAtZero, got3.records.get(0));
    }

    @Test
    void manyLapsOfRecordsOfEveryLengthReadBackIntact() {
        SyntheticRing ring = new SyntheticRing(SIZE, 0);
        Random rnd = new Random(42);
        Collected got = new Collected();
        List<byte[]> sent = new ArrayList<>();
        while (ring.producerPosition() < 10L * SIZE) {
            int batch = 1 + rnd.nextInt(8);
            for (int i = 0; i < batch; i++) {
                byte[] s = sample(rnd.nextInt(SIZE / 8), rnd.nextInt());
                if (ring.producerPosition() + s.length + 16 - ring.consumerPosition() > SIZE) {
                    break;
                }
                ring.submit(s);
                sent.add(s);
            }
            ring.reader().drain(got, Integer.MAX_VALUE);
        }
        assertEquals(sent.size(), got.records.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), got.records.get(i), "record " + i);
        }
    }

    @Test
    void atMostMaxRecordsPerDrain() {
        SyntheticRing ring = new SyntheticRing(SIZE, 0);
        for (int i = 0; i < 5; i++) {
            ring.submit(sample(12, i));
        }
        Collected got = new Collected();
        assertEquals(2, ring.reader().drain(got, 2));
        assertEquals(2 * 24, ring.consumerPosition());
        assertEquals(3, ring.reader().drain(got, 100));
        assertArrayEquals(sample(12, 4), got.records.get(4));
    }

    @Test
    void recordsCommittedDuringADrainAreReadByTheSameDrain() {
        SyntheticRing ring = new SyntheticRing(SIZE, 0);
        byte[] late = sample(40, 2);
        ring.submit(sample(40, 1));
        Collected got = new Collected() {
            @Override
            public void record(Pointer mem, long offset, int length) {
                super.record(mem, offset, length);
                if (records.size() == 1) {
                    ring.submit(late); // the producer moved on while the first record was handled
                }
            }
        };
        assertEquals(2, ring.reader().drain(got, 100));
        assertArrayEquals(late, got.records.get(1));
    }

    /**
     * Over native memory, as the mapped ring is: a record whose body wraps around the end reaches the handler
     * through the same kind of pointer as the others (a second kind costs the decoder its compiled code).
     */
    @Test
    void aWrappingRecordComesThroughTheSameKindOfPointerAsTheOthers() {
        jnr.ffi.Runtime rt = jnr.ffi.Runtime.getSystemRuntime();
        int page = SyntheticRing.PAGE;
        int size = page;
        Pointer consumerMemory = jnr.ffi.Memory.allocateDirect(rt, page);
        Pointer producerMemory = jnr.ffi.Memory.allocateDirect(rt, page + size);
        // what jnr makes of the addresses mmap returns
        Pointer consumer = Pointer.wrap(rt, consumerMemory.address());
        Pointer producer = Pointer.wrap(rt, producerMemory.address());
        byte[] first = sample(40, 1);
        byte[] wrapping = sample(100, 2);
        long start = size - 48 - 24; // the first record: header and 40 bytes; the second's header 24 bytes before the end
        producer.putInt(page + start, first.length);
        producer.put(page + start + 8, first, 0, first.length);
        long second = start + 48;
        producer.putInt(page + second, wrapping.length);
        int beforeEnd = (int) (size - second - 8);
        producer.put(page + second + 8, wrapping, 0, beforeEnd);
        producer.put(page, wrapping, beforeEnd, wrapping.length - beforeEnd);
        consumer.putLong(0, start);
        producer.putLong(0, second + 8 + 104);
        List<Class<?>> kinds = new ArrayList<>();
        Collected got = new Collected() {
            @Override
            public void record(Pointer mem, long offset, int length) {
                kinds.add(mem.getClass());
                super.record(mem, offset, length);
            }
        };
        assertEquals(2, new RingReader(consumer, producer, page, size).drain(got, 10));
        assertArrayEquals(first, got.records.get(0));
        assertArrayEquals(wrapping, got.records.get(1));
        assertEquals(List.of(producer.getClass(), producer.getClass()), kinds);
    }
}
