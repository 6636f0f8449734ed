package dev.timemachine.capture.ebpf;

import dev.timemachine.api.ApproximateReason;
import dev.timemachine.api.EventSink;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import jnr.ffi.Pointer;

/**
 * Turns ring-buffer records ({@code struct tm_hdr} and its payload, see {@link RecordLayout}) into
 * {@link FsEvent}s.
 *
 * <p>WRITE records name their file by a key (the kernel's struct file address) that an earlier PATH record
 * bound to a path; this keeps paths out of the hot path. Records arrive in reservation order, so a PATH
 * always precedes the writes that use it. Not thread-safe: used by the polling thread only.
 */
final class RecordDecoder implements RingReader.RecordHandler {
    private static final byte[] EMPTY = new byte[0];
    /** Files whose close the capture never saw (killed processes) must not grow the table forever. */
    private static final int MAX_OPEN_FILES = 1 << 18;
    private static final int INTERN_SLOTS = 256;
    private static final int MAX_URING_PENDING = 1 << 14;
    /** Payloads this long or longer are looked up among the recent ones; shorter ones cost less than a lookup. */
    private static final int INTERN_MIN = 512;
    private static final int INTERN_MAX = 64 << 10;

    private final Map<Long, byte[]> paths = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > MAX_OPEN_FILES;
        }
    };
    private final Map<String, Long> lostByPath = new ConcurrentHashMap<>();
    private final Tmpfiles tmpfiles = new Tmpfiles();
    /** The name changes of io_uring requests submitted and not completed yet, by request. */
    private final Map<Long, List<FsEvent>> uringPending = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, List<FsEvent>> eldest) {
            return size() > MAX_URING_PENDING; // a completion the capture lost must not keep its request forever
        }
    };
    /**
     * Files each live process has mapped shared and writable, with the bytes still mapped: re-read when it exits.
     * A file all of whose mappings the process unmapped (each munmap was re-read) is final already.
     */
    private final Map<Integer, Map<ByteBuffer, Long>> mappedByPid = new HashMap<>();
    /**
     * The last write payloads decoded, direct-mapped by CRC32C: a payload written again and again (a page of
     * zeros, the same database page) is handed on as the array made the first time, so that what waits in the
     * recorder's hand-off holds its bytes once (docs/architecture.md, section 5). Arrays handed on are never
     * written to.
     */
    private final byte[][] recentPayloads = new byte[INTERN_SLOTS][];
    private final byte[] scratch = new byte[INTERN_MAX];
    private final CRC32C crc = new CRC32C();
    private EventSink sink;

    void sink(EventSink sink) {
        this.sink = sink;
    }

    @Override
    public void record(Pointer m, long o, int length) {
        if (length < RecordLayout.HDR_SIZE) {
            return;
        }
        long timeNs = m.getLong(o + RecordLayout.TIME_NS);
        long key = m.getLong(o + RecordLayout.FILE_KEY);
        long offset = m.getLong(o + RecordLayout.OFFSET);
        long len = m.getLong(o + RecordLayout.LENGTH);
        int pid = m.getInt(o + RecordLayout.PID);
        int tid = m.getInt(o + RecordLayout.TID);
        int mode = m.getInt(o + RecordLayout.MODE);
        int type = m.getShort(o + RecordLayout.TYPE) & 0xffff;
        int flags = m.getShort(o + RecordLayout.FLAGS) & 0xffff;
        int len1 = m.getInt(o + RecordLayout.LEN1);
        int len2 = m.getInt(o + RecordLayout.LEN2);
        long data = o + RecordLayout.HDR_SIZE;
        if (len1 < 0 || len2 < 0 || (long) RecordLayout.HDR_SIZE + len1 + len2 > length) {
            return; // cannot happen with a matching object; never index past the record
        }
        switch (type) {
            case RecordLayout.REC_PATH -> {
                paths.put(key, bytes(m, data, len1));
                if ((flags & RecordLayout.FLAG_TMPFILE) != 0) {
                    tmpfiles.opened(key);
                } else {
                    tmpfiles.closed(key); // a key reused by another file
                }
            }
            case RecordLayout.REC_CLOSE -> {
                paths.remove(key);
                tmpfiles.closed(key);
            }
            case RecordLayout.REC_EXIT_MAPPED -> unmappedAll(timeNs, pid);
            case RecordLayout.REC_URING_DONE -> {
                List<FsEvent> done = uringPending.remove(key);
                if (done != null && len >= 0) {
                    for (FsEvent e : done) {
                        // it happened when it completed, by whoever completed it
                        FsEvent at = new FsEvent(timeNs, e.pid(), e.tid(), e.op(), e.path(), e.path2(), e.offset(),
                                e.length(), e.mode(), e.payload(), e.flags());
                        tmpfiles.observe(at);
                        sink.accept(at);
                    }
                }
            }
            case RecordLayout.OP_WRITE -> deliver(key, new FsEvent(timeNs, pid, tid, Op.WRITE, pathOf(key), null,
                    offset, len, 0, payload(m, data, len1), flags));
            case RecordLayout.OP_LOST -> {
                byte[] path = pathOf(key);
                lostByPath.merge(new String(path, StandardCharsets.UTF_8), len, Long::sum);
                deliver(key, new FsEvent(timeNs, pid, tid, Op.LOST, path, null, 0, len, 0, EMPTY,
                        flags | FsEvent.FLAG_APPROXIMATE));
            }
            case RecordLayout.OP_COPY -> {
                byte[] path = Paths.normalize(bytes(m, data, len1));
                // without the source's name (its path could not be walked) the bytes are unknown: re-read
                sink.accept(len2 > 0
                        ? FsEvent.copy(timeNs, pid, tid, path, offset, Paths.normalize(bytes(m, data + len1, len2)), key, len)
                        : new FsEvent(timeNs, pid, tid, Op.REREAD, path, null, offset, len,
                                ApproximateReason.UNREADABLE.code(), EMPTY, FsEvent.FLAG_APPROXIMATE));
            }
            default -> {
                Op op = Op.orNull(type);
                if (op == null) {
                    return; // cannot happen with a matching object; a record of no known kind changes nothing
                }
                // an exec's program is named as it was given (relative, maybe), its second part is argv
                byte[] path = op == Op.EXEC ? bytes(m, data, len1) : Paths.normalize(bytes(m, data, len1));
                byte[] path2 = null;
                if (len2 > 0) {
                    path2 = bytes(m, data + len1, len2);
                    if (op != Op.SYMLINK && op != Op.EXEC) {
                        path2 = Paths.normalize(path2); // a symlink's target is kept as written
                    }
                }
                int mapping = flags & (RecordLayout.FLAG_MAPPED | RecordLayout.FLAG_UNMAPPED);
                FsEvent e = new FsEvent(timeNs, pid, tid, op, path, path2, offset, len, mode, EMPTY,
                        flags & ~(mapping | RecordLayout.FLAG_TMPFILE | RecordLayout.FLAG_URING));
                if ((flags & RecordLayout.FLAG_URING) != 0) {
                    uringPending.computeIfAbsent(key, k -> new ArrayList<>(2)).add(e);
                    return; // until the request completes
                }
                if ((flags & RecordLayout.FLAG_TMPFILE) == 0) {
                    tmpfiles.observe(e);
                } else if (op == Op.LINK) {
                    tmpfiles.link(key, e).forEach(sink::accept);
                    return;
                } else {
                    e = tmpfiles.resolve(key, e);
                    if (e == null) {
                        return;
                    }
                }
                if (mapping != 0) {
                    Map<ByteBuffer, Long> mapped = mappedByPid.computeIfAbsent(pid, p -> new LinkedHashMap<>());
                    long bytes = (mapping & RecordLayout.FLAG_MAPPED) != 0 ? len : -len;
                    if (mapped.merge(ByteBuffer.wrap(e.path()), bytes, Long::sum) <= 0) {
                        mapped.remove(ByteBuffer.wrap(e.path()));
                    }
                }
                if (op == Op.REREAD && mode == ApproximateReason.MAPPED.code()
                        && (mapping & RecordLayout.FLAG_MAPPED) == 0) {
                    e = synced(e); // an msync or munmap
                } else if (op == Op.FORK && mappedByPid.containsKey(mode)) {
                    mappedByPid.put(pid, new LinkedHashMap<>(mappedByPid.get(mode))); // the child shares them
                } else if (op == Op.EXEC) {
                    sink.accept(e);
                    unmappedAll(timeNs, pid); // a new program has none of the old one's mappings
                    return;
                }
                sink.accept(e);
            }
        }
    }

    /** Every file process {@code pid} had mapped is final as far as it is concerned: an exit, an exec. */
    private void unmappedAll(long timeNs, int pid) {
        Map<ByteBuffer, Long> mapped = mappedByPid.remove(pid);
        if (mapped == null) {
            return;
        }
        for (ByteBuffer path : mapped.keySet()) {
            sink.accept(synced(new FsEvent(timeNs, pid, pid, Op.REREAD, path.array(), null, 0, 0,
                    ApproximateReason.MAPPED.code(), EMPTY, 0)));
        }
    }

    /**
     * A re-read where what one process stored through its mappings of the file is in it: approximate after it
     * only if some process still maps the file.
     */
    private FsEvent synced(FsEvent e) {
        ByteBuffer path = ByteBuffer.wrap(e.path());
        boolean stillMapped = mappedByPid.values().stream().anyMatch(m -> m.containsKey(path));
        return new FsEvent(e.timeNs(), e.pid(), e.tid(), Op.REREAD, e.path(), null, e.offset(), e.length(), e.mode(), EMPTY,
                FsEvent.FLAG_SYNCED | (stillMapped ? FsEvent.FLAG_APPROXIMATE : 0));
    }

    /** A WRITE or LOST, which names its file by key: an O_TMPFILE file's is held or goes to the name it got. */
    private void deliver(long key, FsEvent e) {
        if (tmpfiles.has(key)) {
            e = tmpfiles.resolve(key, e);
        }
        if (e != null) {
            sink.accept(e);
        }
    }

    /** The path a PATH record bound to {@code key}, or empty when the table no longer holds one. */
    private byte[] pathOf(long key) {
        return paths.getOrDefault(key, EMPTY);
    }

    /** A write's payload: the recent array with the same bytes, if there is one, else a new one. */
    private byte[] payload(Pointer m, long at, int n) {
        if (n < INTERN_MIN || n > INTERN_MAX) {
            return bytes(m, at, n);
        }
        m.get(at, scratch, 0, n);
        crc.reset();
        crc.update(scratch, 0, n);
        int slot = (int) crc.getValue() & (INTERN_SLOTS - 1);
        byte[] seen = recentPayloads[slot];
        if (seen != null && Arrays.equals(seen, 0, seen.length, scratch, 0, n)) {
            return seen;
        }
        byte[] b = Arrays.copyOf(scratch, n);
        recentPayloads[slot] = b;
        return b;
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
