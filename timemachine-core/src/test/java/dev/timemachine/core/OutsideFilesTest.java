package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Files outside the roots whose every byte was seen written: what a rename or copy of one into the roots brings. */
class OutsideFilesTest {
    private final OutsideFiles outside = new OutsideFiles();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static FsEvent ev(Op op, String path, String path2, long offset, long length, int mode) {
        return new FsEvent(5, 1, 1, op, b(path), path2 == null ? null : b(path2), offset, length, mode, null, 0);
    }

    private static FsEvent write(String path, long offset, String text) {
        return FsEvent.write(5, 1, b(path), offset, b(text));
    }

    /** What the events bring into the roots: the bytes written, null when there is no create among them. */
    private static String brought(List<FsEvent> events) {
        if (events == null) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (FsEvent e : events) {
            if (e.op() == Op.WRITE) {
                assertEquals(out.size(), e.offset());
                out.writeBytes(e.payload());
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFileCreatedEmptyAndWrittenIsBroughtInWithItsBytesAndMode() {
        outside.observe(ev(Op.CREATE, "/tmp/a", null, 0, 0, 0640));
        outside.observe(write("/tmp/a", 0, "hello world"));
        outside.observe(write("/tmp/a", 6, "there"));
        outside.observe(ev(Op.TRUNCATE, "/tmp/a", null, 0, 8, 0));
        outside.observe(ev(Op.RENAME, "/tmp", "/var/tmp2", 0, 0, 0)); // its directory moves: it follows
        List<FsEvent> in = outside.bringIn(ev(Op.RENAME, "/var/tmp2/a", "/w/a", 0, 0, 0));
        assertEquals(List.of(Op.UNLINK, Op.CREATE, Op.WRITE), in.stream().map(FsEvent::op).toList());
        assertEquals(0640, in.get(1).mode());
        assertArrayEquals(b("/w/a"), in.get(2).path());
        assertEquals("hello th", brought(in));
        assertNull(outside.bringIn(ev(Op.RENAME, "/var/tmp2/a", "/w/b", 0, 0, 0)), "renamed in: gone from outside");
    }

    @Test
    void aFileWhoseBytesAreNotAllSeenIsNotKnown() {
        outside.observe(ev(Op.CREATE, "/tmp/existing", null, 0, 12, 0644)); // not empty once open
        outside.observe(write("/tmp/existing", 0, "x"));
        assertNull(outside.bringIn(ev(Op.RENAME, "/tmp/existing", "/w/e", 0, 0, 0)));
        for (Op op : List.of(Op.REREAD, Op.LOST, Op.FALLOCATE, Op.UNLINK)) {
            outside.observe(ev(Op.CREATE, "/tmp/f", null, 0, 0, 0644));
            outside.observe(write("/tmp/f", 0, "bytes"));
            outside.observe(ev(op, "/tmp/f", null, 0, 0, 0));
            assertNull(outside.bringIn(ev(Op.RENAME, "/tmp/f", "/w/f", 0, 0, 0)), "after " + op);
        }
        outside.observe(ev(Op.CREATE, "/tmp/l", null, 0, 0, 0644));
        outside.observe(ev(Op.LINK, "/tmp/l", "/tmp/l2", 0, 0, 0));
        assertNull(outside.bringIn(ev(Op.RENAME, "/tmp/l", "/w/l", 0, 0, 0)), "a second name could write it unseen");
    }

    @Test
    void aCopyFromAKnownFileTakesItsRangeAndOneBeyondItsEndIsNotKnown() {
        outside.observe(ev(Op.CREATE, "/tmp/src", null, 0, 0, 0644));
        outside.observe(write("/tmp/src", 0, "0123456789"));
        List<FsEvent> copied = outside.copied(FsEvent.copy(9, 1, 1, b("/w/dst"), 100, b("/tmp/src"), 2, 5));
        assertEquals(1, copied.size());
        assertEquals(100, copied.get(0).offset());
        assertEquals("23456", new String(copied.get(0).payload(), StandardCharsets.UTF_8));
        assertNull(outside.copied(FsEvent.copy(9, 1, 1, b("/w/dst"), 0, b("/tmp/src"), 8, 5)));
    }

    @Test
    void whatIsHeldStaysBoundedTheOldestFilesGoingFirst() {
        int n = (int) (OutsideFiles.MAX_BYTES / (8 << 20)) + 2;
        byte[] chunk = new byte[8 << 20];
        for (int i = 0; i < n; i++) {
            outside.observe(ev(Op.CREATE, "/tmp/big" + i, null, 0, 0, 0644));
            outside.observe(FsEvent.write(5, 1, b("/tmp/big" + i), 0, chunk));
        }
        assertNull(outside.bringIn(ev(Op.RENAME, "/tmp/big0", "/w/big0", 0, 0, 0)), "the oldest went");
        assertEquals(8 << 20, outside.bringIn(ev(Op.RENAME, "/tmp/big" + (n - 1), "/w/big", 0, 0, 0)).stream()
                .filter(e -> e.op() == Op.WRITE).mapToLong(e -> e.payload().length).sum(), "the newest is held");
    }
}
