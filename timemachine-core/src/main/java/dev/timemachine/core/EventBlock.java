package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.Op;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The event log's packed block (format byte {@link #PACKED}): the summaries of one compacted chunk, each written
 * as what changed from the one before. A flood of writes to one file repeats everything but time, sequence and
 * offset, and a summary written whole took 77 bytes, a tenth of the million-write workload's compaction: here
 * it takes 4 to 6.
 *
 * <p>Layout: {@code PACKED}, the entry count (varint), then per entry:
 * <ul>
 *   <li>a byte of {@code SAME_*} bits: which fields are those of the entry before;
 *   <li>time and sequence, each as the signed difference (zigzag varint) from the entry before (from 0 for the
 *       first);
 *   <li>unless {@link #SAME_IDS}: op (a byte), flags, pid, tid and mode (varints);
 *   <li>the path, and path2 or none, each a reference into the block's table of paths (varint: an index, or the
 *       table's size for a new path, whose length and bytes follow and which joins the table; path2 adds 1,
 *       0 being none);
 *   <li>unless {@link #SAME_LENGTH}: length; unless {@link #OFFSET_FOLLOWS}: offset (zigzag varints); an offset
 *       that follows is the entry before's offset plus its length.
 * </ul>
 * Decoding gives the same summaries as {@link EventCodec#summary} does, with an empty payload.
 */
final class EventBlock {
    static final byte PACKED = 4;
    private static final int SAME_IDS = 1;
    private static final int SAME_LENGTH = 2;
    private static final int OFFSET_FOLLOWS = 4;
    private static final int KNOWN = SAME_IDS | SAME_LENGTH | OFFSET_FOLLOWS;
    private static final byte[] EMPTY = new byte[0];

    private EventBlock() {
    }

    static byte[] encode(List<JournalEntry> entries) {
        ByteOut out = new ByteOut(16 + entries.size() * 8);
        out.b(PACKED);
        out.varint(entries.size());
        Writer w = new Writer();
        for (JournalEntry entry : entries) {
            w.add(out, entry.event(), entry.sequence());
        }
        return out.bytes();
    }

    /**
     * Writes entries one after another, each as what changed from the one before; the caller writes the count
     * first. Also the journal's packed blocks' summaries ({@link EventCodec#journalBlock}).
     */
    static final class Writer {
        private final Paths paths = new Paths();
        private FsEvent prev;
        private long prevTime;
        private long prevSeq;

        void add(ByteOut out, FsEvent e, long sequence) {
            boolean sameIds = prev != null && e.op() == prev.op() && e.flags() == prev.flags() && e.pid() == prev.pid()
                    && e.tid() == prev.tid() && e.mode() == prev.mode();
            boolean sameLength = prev != null && e.length() == prev.length();
            boolean follows = prev != null && e.offset() == prev.offset() + prev.length();
            out.b((sameIds ? SAME_IDS : 0) | (sameLength ? SAME_LENGTH : 0) | (follows ? OFFSET_FOLLOWS : 0));
            out.zigzag(e.timeNs() - prevTime);
            out.zigzag(sequence - prevSeq);
            if (!sameIds) {
                out.b(e.op().code());
                out.varint(e.flags() & 0xFFFFFFFFL);
                out.varint(e.pid() & 0xFFFFFFFFL);
                out.varint(e.tid() & 0xFFFFFFFFL);
                out.varint(e.mode() & 0xFFFFFFFFL);
            }
            paths.write(out, e.path(), 0);
            if (e.path2() == null) {
                out.varint(0);
            } else {
                paths.write(out, e.path2(), 1);
            }
            if (!sameLength) {
                out.zigzag(e.length());
            }
            if (!follows) {
                out.zigzag(e.offset());
            }
            prev = e;
            prevTime = e.timeNs();
            prevSeq = sequence;
        }
    }

    /** The encoder's table of paths. */
    private static final class Paths {
        private final Map<ByteBuffer, Integer> indexes = new HashMap<>();
        private byte[] last;
        private int lastIndex;

        /** A reference to {@code path} (plus {@code bias}), and the path itself the first time. */
        void write(ByteOut out, byte[] path, int bias) {
            // a flood of writes to one file repeats the last path, often the very same array: no lookup
            Integer index = path == last || Arrays.equals(path, last) ? Integer.valueOf(lastIndex)
                    : indexes.get(ByteBuffer.wrap(path));
            if (index == null) {
                index = indexes.size();
                indexes.put(ByteBuffer.wrap(path), index);
                out.varint(index + bias);
                out.varint(path.length);
                out.bytes(path);
            } else {
                out.varint(index + bias);
            }
            last = path;
            lastIndex = index;
        }
    }

    /** The entries of a packed block; {@code r} is past the format byte. */
    static List<JournalEntry> decode(ValueReader r) {
        int n = r.varCount(3); // each entry takes at least 3 bytes (bits, time, sequence), plus its paths
        List<JournalEntry> out = new ArrayList<>(n);
        List<byte[]> table = new ArrayList<>();
        long time = 0;
        long seq = 0;
        Op op = null;
        int flags = 0;
        int pid = 0;
        int tid = 0;
        int mode = 0;
        long length = 0;
        long offset = 0;
        for (int i = 0; i < n; i++) {
            int bits = r.b.get() & 0xFF;
            if ((bits & ~KNOWN) != 0 || (i == 0 && bits != 0)) {
                throw r.corrupt("bad field bits " + bits + " at entry " + i);
            }
            time += r.zigzag();
            seq += r.zigzag();
            if ((bits & SAME_IDS) == 0) {
                op = Op.ofCode(r.b.get() & 0xFF);
                flags = (int) r.unsigned32();
                pid = (int) r.unsigned32();
                tid = (int) r.unsigned32();
                mode = (int) r.unsigned32();
            }
            byte[] path = path(r, table, r.varint());
            long ref2 = r.varint();
            byte[] path2 = ref2 == 0 ? null : path(r, table, ref2 - 1);
            long newOffset = offset + length;
            if ((bits & SAME_LENGTH) == 0) {
                length = r.zigzag();
            }
            offset = (bits & OFFSET_FOLLOWS) != 0 ? newOffset : r.zigzag();
            out.add(new JournalEntry(seq, new FsEvent(time, pid, tid, op, path, path2, offset, length, mode, EMPTY, flags)));
        }
        return out;
    }

    private static byte[] path(ValueReader r, List<byte[]> table, long ref) {
        if (ref < table.size()) {
            return table.get((int) ref);
        }
        if (ref != table.size()) {
            throw r.corrupt("bad path reference " + ref + " (" + table.size() + " paths so far)");
        }
        byte[] path = r.varBytes();
        table.add(path);
        return path;
    }
}
