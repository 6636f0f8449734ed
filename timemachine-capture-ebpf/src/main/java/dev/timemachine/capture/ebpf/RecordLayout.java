package dev.timemachine.capture.ebpf;

/**
 * The byte layouts shared with the kernel, defined once: the records of {@code bpf/timemachine.h}
 * ({@code struct tm_hdr}, the {@code TM_REC_*} types, the decoder-internal flag), the {@code tm_config}
 * map value, and the kernel's own header in front of every ring-buffer record.
 *
 * <p>Everything is little endian. The record types not named here are the api's
 * {@link dev.timemachine.api.Op#code()} values, and the other flag bits its
 * {@link dev.timemachine.api.FsEvent} {@code FLAG_*} bits, passed through unchanged. {@code RecordLayoutTest}
 * compiles the C headers and checks every number here against them, and those two correspondences too; the
 * one exception is {@link #RING_ALIGN}, which the kernel hard-codes, covered by the synthetic ring tests.
 */
final class RecordLayout {
    /** {@code sizeof(struct tm_hdr)}: the payload (len1 bytes, then len2 bytes) follows at this offset. */
    static final int HDR_SIZE = 56;
    /** {@code __u64}: CLOCK_MONOTONIC nanoseconds at sys_exit. */
    static final int TIME_NS = 0;
    /** {@code __u64}: the struct file address of WRITE, PATH, CLOSE and LOST records, else 0. */
    static final int FILE_KEY = 8;
    /** {@code __u64}. */
    static final int OFFSET = 16;
    /** {@code __u64}. */
    static final int LENGTH = 24;
    /** {@code __u32}. */
    static final int PID = 32;
    /** {@code __u32}. */
    static final int TID = 36;
    /** {@code __u32}. */
    static final int MODE = 40;
    /** {@code __u16}: an op code or one of the {@code REC_*} types. */
    static final int TYPE = 44;
    /** {@code __u16}: FsEvent flag bits, plus {@link #FLAG_MAPPED}. */
    static final int FLAGS = 46;
    /** {@code __u32}: bytes of the first part of the payload (the written bytes, or a path). */
    static final int LEN1 = 48;
    /** {@code __u32}: bytes of the second path. */
    static final int LEN2 = 52;

    /** Op code of a WRITE record (dispatched on by the decoder, hence a constant). */
    static final int OP_WRITE = 1;
    /** Op code of a LOST record. */
    static final int OP_LOST = 14;
    /** COPY: {@code file_key} holds the source offset, the source's path follows the destination's. */
    static final int OP_COPY = 15;
    /** file_key now names the path in the payload. */
    static final int REC_PATH = 32;
    /** file_key was closed: forget it. */
    static final int REC_CLOSE = 33;
    /** Process pid, which had shared writable file mappings, has exited. */
    static final int REC_EXIT_MAPPED = 34;
    /** The io_uring request {@code file_key} completed with result {@code length}; negative: its records are void. */
    static final int REC_URING_DONE = 35;
    /** Decoder-internal flag of a REREAD, never delivered: the file was just mapped shared and writable. */
    static final int FLAG_MAPPED = 0x8000;
    /** Decoder-internal flag of a REREAD, never delivered: {@code length} bytes of a mapping of the file went away. */
    static final int FLAG_UNMAPPED = 0x4000;
    /**
     * Decoder-internal flag, never delivered: the record is about a file opened O_TMPFILE, named by
     * {@code file_key}; on a LINK, that file got the name in the payload.
     */
    static final int FLAG_TMPFILE = 0x2000;
    /** Decoder-internal flag, never delivered: what io_uring request {@code file_key} does if it completes. */
    static final int FLAG_URING = 0x1000;

    /** {@code sizeof(struct tm_config)}, the value of the single entry of the {@code tm_config} map. */
    static final int CONFIG_SIZE = 16;
    /** {@code __u64 wakeup_bytes}. */
    static final int CONFIG_WAKEUP_BYTES = 0;
    /** {@code __u32 chunk_bytes}; the {@code __u32} after it is reserved and stays 0. */
    static final int CONFIG_CHUNK_BYTES = 8;

    /** The kernel's header in front of each ring record: a {@code __u32} length, then a page offset. */
    static final int RING_HDR_SIZE = 8;
    /** Length bit: reserved by the producer, not committed yet (BPF_RINGBUF_BUSY_BIT). */
    static final int RING_BUSY = 1 << 31;
    /** Length bit: committed as discarded, to be skipped (BPF_RINGBUF_DISCARD_BIT). */
    static final int RING_DISCARD = 1 << 30;
    /** Records, header included, start at multiples of this. */
    static final int RING_ALIGN = 8;

    private RecordLayout() {
    }
}
