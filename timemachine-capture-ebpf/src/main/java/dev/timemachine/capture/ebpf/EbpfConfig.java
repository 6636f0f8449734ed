package dev.timemachine.capture.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Settings of the eBPF source.
 *
 * @param ringBytes   ring-buffer size: a power of two from 4 KiB to 1 GiB; default 256 MiB
 * @param wakeupBytes the consumer is woken once this much data waits (below it, it drains on its own
 *                    short poll timeout), at most {@code ringBytes}; 0 wakes it for every record;
 *                    default 1 MiB
 * @param chunkBytes  payload bytes per WRITE event at most (larger writes are split), from 1 to
 *                    min(15 MiB, {@code ringBytes} / 4); default 1 MiB
 * @param pollSliceMs how long one wait on the ring buffer lasts before draining anyway, 1 to 1000;
 *                    default 20 ms (a poll with a shorter timeout waits that long): data under the wakeup
 *                    threshold waits at most this long, and each wait that ends drains and wakes a thread
 */
record EbpfConfig(long ringBytes, long wakeupBytes, int chunkBytes, int pollSliceMs) {
    static final String RING_BYTES = "ringBufferBytes";
    static final String WAKEUP_BYTES = "wakeupBytes";
    static final String CHUNK_BYTES = "chunkBytes";
    static final String POLL_SLICE_MS = "pollSliceMs";

    static final EbpfConfig DEFAULT = new EbpfConfig(256L << 20, 1L << 20, 1 << 20, 20);

    EbpfConfig {
        if (ringBytes < 4096 || Long.bitCount(ringBytes) != 1 || ringBytes > (1L << 30)) {
            throw new IllegalArgumentException(RING_BYTES + " must be a power of two between 4096 and 1 GiB, got "
                    + ringBytes);
        }
        if (wakeupBytes < 0 || wakeupBytes > ringBytes) {
            throw new IllegalArgumentException(WAKEUP_BYTES + " must be between 0 and " + RING_BYTES + ", got "
                    + wakeupBytes);
        }
        if (chunkBytes < 1 || chunkBytes > (15 << 20) || chunkBytes > ringBytes / 4) {
            throw new IllegalArgumentException(CHUNK_BYTES + " must be between 1 and min(15 MiB, "
                    + RING_BYTES + "/4), got " + chunkBytes);
        }
        if (pollSliceMs < 1 || pollSliceMs > 1000) {
            throw new IllegalArgumentException(POLL_SLICE_MS + " must be between 1 and 1000, got " + pollSliceMs);
        }
    }

    /**
     * The value of the single entry of the {@code tm_config} map, which the BPF program reads: its
     * {@code struct tm_config}, laid out as {@link RecordLayout} says.
     */
    byte[] mapValue() {
        ByteBuffer value = ByteBuffer.allocate(RecordLayout.CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        value.putLong(RecordLayout.CONFIG_WAKEUP_BYTES, wakeupBytes);
        value.putInt(RecordLayout.CONFIG_CHUNK_BYTES, chunkBytes);
        return value.array();
    }

    /** Reads the known keys of {@code config}; unknown keys are ignored. */
    static EbpfConfig from(Map<String, String> config) {
        long ring = number(config, RING_BYTES, DEFAULT.ringBytes);
        // the defaults shrink with a small ring, so that any valid ring size alone is a valid configuration
        return new EbpfConfig(ring,
                number(config, WAKEUP_BYTES, Math.min(DEFAULT.wakeupBytes, ring / 4)),
                (int) Math.min(Integer.MAX_VALUE, number(config, CHUNK_BYTES, Math.min(DEFAULT.chunkBytes, ring / 4))),
                (int) Math.min(Integer.MAX_VALUE, number(config, POLL_SLICE_MS, DEFAULT.pollSliceMs)));
    }

    private static long number(Map<String, String> config, String key, long dflt) {
        String v = config.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number of bytes, got '" + v + "'");
        }
    }
}
