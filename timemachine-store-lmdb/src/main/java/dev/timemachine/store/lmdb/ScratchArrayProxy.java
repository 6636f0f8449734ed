package dev.timemachine.store.lmdb;

import java.util.Arrays;
import java.util.Comparator;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.provider.MemoryManager;
import org.lmdbjava.BufferProxy;

/**
 * A {@code byte[]} buffer proxy that copies keys and values into native scratch buffers owned by the calling
 * thread. Like lmdbjava's {@code ByteArrayProxy} it needs no {@code --add-opens} (the {@code ByteBuffer}
 * proxies reach into {@code java.nio} internals), so the engine works when embedded in any JVM.
 *
 * <p>Why not {@code ByteArrayProxy} itself: in lmdbjava 0.9.1 it allocates native scratch per call and drops the
 * only reference to it before LMDB reads it (lmdbjava issue 252), so a GC at the wrong moment frees memory
 * LMDB is still reading; values over 256 bytes are freed by a cleaner as soon as they are unreachable. Here
 * each thread keeps its scratch strongly reachable in a small ring, so a buffer is reused only after the
 * native call that read it has returned (one call passes at most a key and a value; the ring holds four).
 * Reuse also saves an allocation per put.
 *
 * <p>Values read out of LMDB are copied into fresh arrays, so callers own what they get.
 */
final class ScratchArrayProxy extends BufferProxy<byte[]> {

    static final ScratchArrayProxy INSTANCE = new ScratchArrayProxy();

    private static final MemoryManager MEMORY = Runtime.getSystemRuntime().getMemoryManager();
    private static final int SLOTS = 4;
    private static final int MIN_SCRATCH = 512;
    /** Scratch larger than this is not kept once a smaller request comes, so one huge value does not stay pinned. */
    private static final int RETAIN_MAX = 1 << 20;

    private final ThreadLocal<Ring> rings = ThreadLocal.withInitial(Ring::new);

    private ScratchArrayProxy() {}

    @Override
    protected byte[] allocate() {
        return new byte[0];
    }

    @Override
    protected void deallocate(byte[] buffer) {
        // nothing to give back: arrays belong to the garbage collector, scratch to the thread
    }

    @Override
    protected byte[] getBytes(byte[] buffer) {
        return Arrays.copyOf(buffer, buffer.length);
    }

    @Override
    protected Comparator<byte[]> getSignedComparator() {
        return Arrays::compare;
    }

    @Override
    protected Comparator<byte[]> getUnsignedComparator() {
        return Arrays::compareUnsigned;
    }

    @Override
    protected void in(byte[] buffer, Pointer mdbVal, long mdbValAddress) {
        Pointer memory = take(buffer.length);
        memory.put(0, buffer, 0, buffer.length);
        mdbVal.putLong(STRUCT_FIELD_OFFSET_SIZE, buffer.length);
        mdbVal.putAddress(STRUCT_FIELD_OFFSET_DATA, memory.address());
    }

    @Override
    protected void in(byte[] buffer, int size, Pointer mdbVal, long mdbValAddress) {
        // MDB_RESERVE: LMDB fills in the address; the engine never reserves, this only keeps the size right
        mdbVal.putLong(STRUCT_FIELD_OFFSET_SIZE, size);
    }

    @Override
    protected byte[] out(byte[] buffer, Pointer mdbVal, long mdbValAddress) {
        long address = mdbVal.getAddress(STRUCT_FIELD_OFFSET_DATA);
        int size = (int) mdbVal.getLong(STRUCT_FIELD_OFFSET_SIZE);
        byte[] copy = new byte[size];
        MEMORY.newPointer(address, size).get(0, copy, 0, size);
        return copy;
    }

    /** The next scratch buffer of this thread's ring, grown (or shrunk after a huge value) to fit {@code size}. */
    private Pointer take(int size) {
        Ring ring = rings.get();
        int slot = ring.next;
        ring.next = (slot + 1) % SLOTS;
        Pointer memory = ring.buffers[slot];
        if (memory == null || memory.size() < size || (memory.size() > RETAIN_MAX && size <= RETAIN_MAX)) {
            memory = MEMORY.allocateDirect(Math.max(size, MIN_SCRATCH));
            ring.buffers[slot] = memory;
        }
        return memory;
    }

    private static final class Ring {
        final Pointer[] buffers = new Pointer[SLOTS];
        int next;
    }
}
