package dev.timemachine.store.rocks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import org.rocksdb.WriteBatch;

/**
 * Makes a native {@code WriteBatch} from the first {@code length} bytes of a batch encoded in Java. rocksdbjni's
 * public constructor takes a whole array, so the encoding buffer (grown by doubling, reused from batch to batch)
 * would first be copied to its exact length: a whole extra copy of every batch, megabytes each on the journal's
 * path. Its private native {@code newWriteBatch(byte[], int)} takes a length; it is reached with a method
 * handle, and the public constructor is the fallback where that is not possible (a rocksdbjni without it, or on
 * the module path). {@code RocksBatchTest} checks that the direct path works with the rocksdbjni in use.
 */
final class SerializedBatches {
    private static final MethodHandle NEW_BATCH;
    private static final MethodHandle WRAP;

    static {
        MethodHandle newBatch = null;
        MethodHandle wrap = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(WriteBatch.class, MethodHandles.lookup());
            newBatch = lookup.findStatic(WriteBatch.class, "newWriteBatch",
                    MethodType.methodType(long.class, byte[].class, int.class));
            wrap = lookup.findConstructor(WriteBatch.class, MethodType.methodType(void.class, long.class, boolean.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            newBatch = null;
            wrap = null;
        }
        NEW_BATCH = newBatch;
        WRAP = wrap;
    }

    private SerializedBatches() {
    }

    /** Whether batches go to RocksDB without the extra copy. */
    static boolean direct() {
        return NEW_BATCH != null;
    }

    /** A batch owning a native copy of {@code rep[0, length)}; the caller closes it. */
    static WriteBatch of(byte[] rep, int length) {
        if (NEW_BATCH == null) {
            return new WriteBatch(Arrays.copyOf(rep, length));
        }
        try {
            long handle = (long) NEW_BATCH.invokeExact(rep, length);
            return (WriteBatch) WRAP.invokeExact(handle, true);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot make a write batch", e);
        }
    }
}
