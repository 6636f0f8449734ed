package dev.timemachine.capture.ebpf;

import dev.timemachine.api.EventSink;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jnr.ffi.Pointer;

/**
 * Turns ring-buffer records (layout: {@code bpf/timemachine.h}, struct tm_hdr) into {@link FsEvent}s.
 *
 * <p>WRITE records name their file by a key (the kernel's struct file address) that an earlier PATH record
 * bound to a path; this keeps paths out of the hot path. Records arrive in reservation order, so a PATH
 * always precedes the writes that use it. Not thread-safe: used by the polling thread only.
 */
final class RecordDecoder implements RingBuffer.RecordHandler {
    static final int HDR = 56;
    static final int REC_PATH = 32;
    static final int REC_CLOSE = 33;
    static final int REC_EXIT_MAPPED = 34;
    /** Internal flag of a REREAD: the file was just mapped shared and writable by the process. */
    static final int FLAG_MAPPED = 0x8000;
    private static final byte[] EMPTY = new byte[0];
    /** Files whose close the capture never saw (killed processes) must not grow the table forever. */
    private static final int MAX_OPEN_FILES = 1 << 18;

    private final Map<Long, byte[]> paths = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > MAX_OPEN_FILES;
        }
    };
    private final Map<String, Long> lostByPath = new ConcurrentHashMap<>();
    /** Files each live process mapped shared and writable: re-read when it exits. */
    private final Map<Integer, List<byte[]>> mappedByPid = new HashMap<>();
    private EventSink sink;

    void sink(EventSink sink) {
        this.sink = sink;
    }

    @Override
    public void record(Pointer m, long o, int length) {
        if (length < HDR) {
            return;
        }
        long timeNs = m.getLong(o);
        long key = m.getLong(o + 8);
        long offset = m.getLong(o + 16);
        long len = m.getLong(o + 24);
        int pid = m.getInt(o + 32);
        int tid = m.getInt(o + 36);
        int mode = m.getInt(o + 40);
        int type = m.getShort(o + 44) & 0xffff;
        int flags = m.getShort(o + 46) & 0xffff;
        int len1 = m.getInt(o + 48);
        int len2 = m.getInt(o + 52);
        if (len1 < 0 || len2 < 0 || (long) HDR + len1 + len2 > length) {
            return; // cannot happen with a matching object; never index past the record
        }
        switch (type) {
            case REC_PATH -> paths.put(key, bytes(m, o + HDR, len1));
            case REC_CLOSE -> paths.remove(key);
            case REC_EXIT_MAPPED -> {
                for (byte[] path : mappedByPid.getOrDefault(pid, List.of())) {
                    sink.accept(new FsEvent(timeNs, pid, pid, Op.REREAD, path, null, 0, 0, 0, EMPTY,
                            FsEvent.FLAG_APPROXIMATE));
                }
                mappedByPid.remove(pid);
            }
            case 1 /* WRITE */ -> sink.accept(new FsEvent(timeNs, pid, tid, Op.WRITE, pathOf(key), null, offset,
                    len, 0, bytes(m, o + HDR, len1), flags));
            case 14 /* LOST */ -> {
                byte[] path = pathOf(key);
                lostByPath.merge(new String(path, StandardCharsets.UTF_8), len, Long::sum);
                sink.accept(new FsEvent(timeNs, pid, tid, Op.LOST, path, null, 0, len, 0, EMPTY,
                        flags | FsEvent.FLAG_APPROXIMATE));
            }
            default -> {
                Op op = Op.ofCode(type);
                byte[] path = Paths.normalize(bytes(m, o + HDR, len1));
                if ((flags & FLAG_MAPPED) != 0) {
                    flags &= ~FLAG_MAPPED;
                    List<byte[]> mapped = mappedByPid.computeIfAbsent(pid, p -> new ArrayList<>());
                    if (mapped.stream().noneMatch(p -> Arrays.equals(p, path))) {
                        mapped.add(path);
                    }
                }
                byte[] path2 = null;
                if (len2 > 0) {
                    path2 = bytes(m, o + HDR + len1, len2);
                    if (op != Op.SYMLINK) {
                        path2 = Paths.normalize(path2); // a symlink's target is kept as written
                    }
                }
                sink.accept(new FsEvent(timeNs, pid, tid, op, path, path2, offset, len, mode, EMPTY, flags));
            }
        }
    }

    /** The path a PATH record bound to {@code key}, or empty when the table no longer holds one. */
    private byte[] pathOf(long key) {
        return paths.getOrDefault(key, EMPTY);
    }

    private static byte[] bytes(Pointer m, long at, int n) {
        byte[] b = new byte[n];
        m.get(at, b, 0, n);
        return b;
    }

    Map<String, Long> lostByPath() {
        return Map.copyOf(lostByPath);
    }
}
