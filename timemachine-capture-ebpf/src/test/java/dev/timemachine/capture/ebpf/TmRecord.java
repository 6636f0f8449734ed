package dev.timemachine.capture.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Test fixture: one ring-buffer sample as the BPF program emits it, {@code struct tm_hdr} then len1 bytes then
 * len2 bytes. The header is written field after field in the order {@code bpf/timemachine.h} declares them,
 * with each field's C type, not through {@link RecordLayout}'s offsets, so that decoding it checks those.
 */
final class TmRecord {
    private long timeNs;
    private long fileKey;
    private long offset;
    private long length;
    private int pid;
    private int tid;
    private int mode;
    private final int type;
    private int flags;
    private byte[] data1 = new byte[0];
    private byte[] data2 = new byte[0];

    private TmRecord(int type) {
        this.type = type;
    }

    /** A record of {@code type}, an op code or a {@code TM_REC_*}, emitted at {@code timeNs} by pid/tid. */
    static TmRecord of(int type, long timeNs, int pid, int tid) {
        TmRecord r = new TmRecord(type);
        r.timeNs = timeNs;
        r.pid = pid;
        r.tid = tid;
        return r;
    }

    TmRecord fileKey(long key) {
        this.fileKey = key;
        return this;
    }

    TmRecord offset(long offset) {
        this.offset = offset;
        return this;
    }

    TmRecord length(long length) {
        this.length = length;
        return this;
    }

    TmRecord mode(int mode) {
        this.mode = mode;
        return this;
    }

    TmRecord flags(int flags) {
        this.flags = flags;
        return this;
    }

    /** The first part of the payload: the written bytes of a WRITE, otherwise a path. */
    TmRecord data1(byte[] bytes) {
        this.data1 = bytes;
        return this;
    }

    TmRecord path(String path) {
        return data1(path.getBytes(StandardCharsets.UTF_8));
    }

    /** The second path: a rename's destination, a symlink's target, a hard link's name. */
    TmRecord path2(String path) {
        this.data2 = path.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** The sample's bytes: exactly header plus payload, as bpf_ringbuf_output or the dynptr reserve sizes it. */
    byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(8 * 4 + 4 * 3 + 2 * 2 + 4 * 2 + data1.length + data2.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(timeNs).putLong(fileKey).putLong(offset).putLong(length); // __u64 time_ns ... length
        b.putInt(pid).putInt(tid).putInt(mode);                             // __u32 pid, tid, mode
        b.putShort((short) type).putShort((short) flags);                   // __u16 type, flags
        b.putInt(data1.length).putInt(data2.length);                        // __u32 len1, len2
        b.put(data1).put(data2);
        return b.array();
    }
}
