package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The C-to-Java contract without root: records built as the BPF program builds them ({@link TmRecord}), in a
 * ring laid out as the kernel's ({@link SyntheticRing}), read by the real {@link RingReader} and decoded by
 * the real {@link RecordDecoder}; every field of every event is checked.
 */
class RecordDecoderTest {
    /** Kernel addresses, as struct file keys are, that differ in their upper half only: a u32 read would mix them. */
    private static final long KEY = 0xffff_8881_2345_6780L;
    private static final long OTHER_KEY = 0xffff_8882_2345_6780L;
    private static final int PID = 123_456;
    private static final int TID = 123_460;
    /** Above 2^32: a u64 read as u32 shows. */
    private static final long T = 5_000_000_000_123L;

    private final SyntheticRing ring = new SyntheticRing(16 * SyntheticRing.PAGE, 0);
    private final RecordDecoder decoder = new RecordDecoder();
    private final List<FsEvent> events = new ArrayList<>();

    private List<FsEvent> decode(TmRecord... records) {
        for (TmRecord r : records) {
            ring.submit(r.bytes());
        }
        decoder.sink(events::add);
        ring.reader().drain(decoder, Integer.MAX_VALUE);
        decoder.sink(null);
        return events;
    }

    private static TmRecord rec(int type, long timeNs) {
        return TmRecord.of(type, timeNs, PID, TID);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertEvent(FsEvent e, long timeNs, int pid, int tid, Op op, String path, String path2,
                                    long offset, long length, int mode, String payload, int flags) {
        assertEquals(timeNs, e.timeNs(), "timeNs of " + e);
        assertEquals(pid, e.pid(), "pid of " + e);
        assertEquals(tid, e.tid(), "tid of " + e);
        assertEquals(op, e.op(), "op of " + e);
        assertEquals(path, new String(e.path(), StandardCharsets.UTF_8), "path of " + e);
        if (path2 == null) {
            assertNull(e.path2(), "path2 of " + e);
        } else {
            assertEquals(path2, new String(e.path2(), StandardCharsets.UTF_8), "path2 of " + e);
        }
        assertEquals(offset, e.offset(), "offset of " + e);
        assertEquals(length, e.length(), "length of " + e);
        assertEquals(mode, e.mode(), "mode of " + e);
        assertArrayEquals(utf8(payload), e.payload(), "payload of " + e);
        assertEquals(flags, e.flags(), "flags of " + e);
    }

    /** A page written again and again reaches the pipeline as one array; different bytes never share one. */
    @Test
    void aPayloadWrittenAgainIsHandedOnAsTheSameArray() {
        byte[] zeros = new byte[4096];
        byte[] other = new byte[4096];
        other[4095] = 1;
        decode(rec(RecordLayout.REC_PATH, T).fileKey(KEY).path("/data/out"),
                rec(Op.WRITE.code(), T + 1).fileKey(KEY).offset(0).length(4096).data1(zeros),
                rec(Op.WRITE.code(), T + 2).fileKey(KEY).offset(4096).length(4096).data1(zeros),
                rec(Op.WRITE.code(), T + 3).fileKey(KEY).offset(8192).length(4096).data1(other),
                rec(Op.WRITE.code(), T + 4).fileKey(KEY).offset(12288).length(4096).data1(zeros));
        assertEquals(4, events.size());
        assertArrayEquals(zeros, events.get(0).payload());
        assertSame(events.get(0).payload(), events.get(1).payload(), "the same bytes again: the same array");
        assertArrayEquals(other, events.get(2).payload(), "one byte differs: its own bytes");
        assertArrayEquals(zeros, events.get(3).payload());
    }

    @Test
    void aWriteNamesTheFileItsKeyWasBoundToByAPathRecord() {
        decode(rec(RecordLayout.REC_PATH, T).fileKey(KEY).path("/data/out.log"),
                rec(RecordLayout.REC_PATH, T + 1).fileKey(OTHER_KEY).path("/data/other"),
                rec(Op.WRITE.code(), T + 2).fileKey(KEY).offset(6L << 30).length(5).data1(utf8("hello"))
                        .flags(FsEvent.FLAG_APPEND));
        assertEquals(1, events.size(), "a PATH record is bookkeeping, not an event: " + events);
        assertEvent(events.get(0), T + 2, PID, TID, Op.WRITE, "/data/out.log", null, 6L << 30, 5, 0, "hello",
                FsEvent.FLAG_APPEND);
    }

    @Test
    void aCloseForgetsTheKeyAndAReusedKeyNamesItsNewFile() {
        decode(rec(RecordLayout.REC_PATH, T).fileKey(KEY).path("/a"),
                rec(RecordLayout.REC_CLOSE, T + 1).fileKey(KEY),
                rec(Op.WRITE.code(), T + 2).fileKey(KEY).length(1).data1(utf8("x")),
                rec(RecordLayout.REC_PATH, T + 3).fileKey(KEY).path("/b"),
                rec(Op.WRITE.code(), T + 4).fileKey(KEY).offset(3).length(1).data1(utf8("y")));
        assertEquals(2, events.size(), events.toString());
        assertEvent(events.get(0), T + 2, PID, TID, Op.WRITE, "", null, 0, 1, 0, "x", 0);
        assertEvent(events.get(1), T + 4, PID, TID, Op.WRITE, "/b", null, 3, 1, 0, "y", 0);
    }

    @Test
    void theChunksOfOneLargeWriteKeepTheirOrderTimeAndFlags() {
        decode(rec(RecordLayout.REC_PATH, T).fileKey(KEY).path("/big"),
                rec(Op.WRITE.code(), T).fileKey(KEY).offset(100).length(4).data1(utf8("abcd"))
                        .flags(FsEvent.FLAG_CHUNK_MORE),
                rec(Op.WRITE.code(), T).fileKey(KEY).offset(104).length(4).data1(utf8("efgh"))
                        .flags(FsEvent.FLAG_CHUNK_MORE),
                rec(Op.WRITE.code(), T).fileKey(KEY).offset(108).length(2).data1(utf8("ij")));
        assertEquals(3, events.size());
        assertEvent(events.get(0), T, PID, TID, Op.WRITE, "/big", null, 100, 4, 0, "abcd", FsEvent.FLAG_CHUNK_MORE);
        assertEvent(events.get(1), T, PID, TID, Op.WRITE, "/big", null, 104, 4, 0, "efgh", FsEvent.FLAG_CHUNK_MORE);
        assertEvent(events.get(2), T, PID, TID, Op.WRITE, "/big", null, 108, 2, 0, "ij", 0);
    }

    @Test
    void aRenameCarriesBothPathsNormalisedButASymlinkKeepsItsTargetAsWritten() {
        decode(rec(Op.RENAME.code(), T).path("/w/./src//a").path2("/w/sub/../b").flags(FsEvent.FLAG_NOREPLACE),
                rec(Op.EXCHANGE.code(), T + 1).path("/w/b").path2("/w/c"),
                rec(Op.SYMLINK.code(), T + 2).path("/w/link").path2("../x/./y"),
                rec(Op.LINK.code(), T + 3).path("/w/c").path2("/w//hard"));
        assertEquals(4, events.size());
        assertEvent(events.get(0), T, PID, TID, Op.RENAME, "/w/src/a", "/w/b", 0, 0, 0, "", FsEvent.FLAG_NOREPLACE);
        assertEvent(events.get(1), T + 1, PID, TID, Op.EXCHANGE, "/w/b", "/w/c", 0, 0, 0, "", 0);
        assertEvent(events.get(2), T + 2, PID, TID, Op.SYMLINK, "/w/link", "../x/./y", 0, 0, 0, "", 0);
        assertEvent(events.get(3), T + 3, PID, TID, Op.LINK, "/w/c", "/w/hard", 0, 0, 0, "", 0);
    }

    @Test
    void eventsWithAnInlinePathCarryModeOffsetLengthAndFlags() {
        decode(rec(Op.CREATE.code(), T).path("/w/f").mode(0644),
                rec(Op.TRUNCATE.code(), T + 1).path("/w/f").length(7L << 32),
                rec(Op.FALLOCATE.code(), T + 2).path("/w/f").offset(8).length(24),
                rec(Op.MKDIR.code(), T + 3).path("/w/d").mode(04750).flags(FsEvent.FLAG_DIRECTORY),
                rec(Op.CHMOD.code(), T + 4).path("/w/f").mode(0444),
                rec(Op.UNLINK.code(), T + 5).path("/w/f"),
                rec(Op.RMDIR.code(), T + 6).path("/w/d").flags(FsEvent.FLAG_DIRECTORY),
                rec(Op.REREAD.code(), T + 7).path("/w/g").offset(500).length(5).flags(FsEvent.FLAG_APPROXIMATE));
        assertEquals(8, events.size());
        assertEvent(events.get(0), T, PID, TID, Op.CREATE, "/w/f", null, 0, 0, 0644, "", 0);
        assertEvent(events.get(1), T + 1, PID, TID, Op.TRUNCATE, "/w/f", null, 0, 7L << 32, 0, "", 0);
        assertEvent(events.get(2), T + 2, PID, TID, Op.FALLOCATE, "/w/f", null, 8, 24, 0, "", 0);
        assertEvent(events.get(3), T + 3, PID, TID, Op.MKDIR, "/w/d", null, 0, 0, 04750, "", FsEvent.FLAG_DIRECTORY);
        assertEvent(events.get(4), T + 4, PID, TID, Op.CHMOD, "/w/f", null, 0, 0, 0444, "", 0);
        assertEvent(events.get(5), T + 5, PID, TID, Op.UNLINK, "/w/f", null, 0, 0, 0, "", 0);
        assertEvent(events.get(6), T + 6, PID, TID, Op.RMDIR, "/w/d", null, 0, 0, 0, "", FsEvent.FLAG_DIRECTORY);
        assertEvent(events.get(7), T + 7, PID, TID, Op.REREAD, "/w/g", null, 500, 5, 0, "",
                FsEvent.FLAG_APPROXIMATE);
    }

    @Test
    void aCopyNamesItsSourceAndSourceOffsetAndOneWithoutItsSourceIsAReread() {
        decode(rec(RecordLayout.OP_COPY, T).path("/w/./dst").path2("/usr/lib/x").fileKey(4096).offset(100).length(50),
                rec(RecordLayout.OP_COPY, T + 1).path("/w/dst").offset(150).length(7));
        assertEquals(2, events.size());
        FsEvent copy = events.get(0);
        assertEquals(Op.COPY, copy.op());
        assertEquals("/w/dst -> /usr/lib/x 100 50 4096", Capture.str(copy.path()) + " -> " + Capture.str(copy.path2())
                + " " + copy.offset() + " " + copy.length() + " " + copy.sourceOffset());
        assertEvent(events.get(1), T + 1, PID, TID, Op.REREAD, "/w/dst", null, 150, 7,
                dev.timemachine.api.ApproximateReason.UNREADABLE.code(), "", FsEvent.FLAG_APPROXIMATE);
    }

    @Test
    void anExecKeepsItsProgramAndArgumentsAsGivenAndItsParentInMode() {
        decode(rec(Op.EXEC.code(), T).path("./bin/../run").path2("run\0-x\0a/../b\0").mode(4242));
        assertEquals(1, events.size());
        assertEvent(events.get(0), T, PID, TID, Op.EXEC, "./bin/../run", "run\0-x\0a/../b\0", 0, 0, 4242, "", 0);
    }

    @Test
    void lostRecordsAreApproximateAndAddUpPerPath() {
        decode(rec(RecordLayout.REC_PATH, T).fileKey(KEY).path("/w/f"),
                rec(Op.LOST.code(), T + 1).fileKey(KEY).length(7),
                rec(Op.WRITE.code(), T + 1).fileKey(KEY).offset(9).length(1).data1(utf8("z")),
                rec(Op.LOST.code(), T + 2).fileKey(KEY).length(3),
                rec(RecordLayout.REC_CLOSE, T + 2).fileKey(KEY));
        assertEquals(3, events.size());
        assertEvent(events.get(0), T + 1, PID, TID, Op.LOST, "/w/f", null, 0, 7, 0, "", FsEvent.FLAG_APPROXIMATE);
        assertEvent(events.get(1), T + 1, PID, TID, Op.WRITE, "/w/f", null, 9, 1, 0, "z", 0);
        assertEvent(events.get(2), T + 2, PID, TID, Op.LOST, "/w/f", null, 0, 3, 0, "", FsEvent.FLAG_APPROXIMATE);
        assertEquals(Map.of("/w/f", 10L), decoder.lostByPath());
    }

    @Test
    void aFileWhoseMappingsWereAllUnmappedIsNotRereadAtExit() {
        int mapped = FsEvent.FLAG_APPROXIMATE | RecordLayout.FLAG_MAPPED;
        int unmapped = FsEvent.FLAG_APPROXIMATE | RecordLayout.FLAG_UNMAPPED;
        decode(rec(Op.REREAD.code(), T).path("/w/u").length(8192).flags(mapped),
                rec(Op.REREAD.code(), T + 1).path("/w/k").length(4096).flags(mapped),
                rec(Op.REREAD.code(), T + 2).path("/w/u").length(4096).flags(unmapped),
                rec(Op.REREAD.code(), T + 3).path("/w/k").length(4096).flags(unmapped),
                rec(Op.REREAD.code(), T + 4).path("/w/u").offset(4096).length(4096).flags(unmapped),
                TmRecord.of(RecordLayout.REC_EXIT_MAPPED, T + 5, PID, 0));
        assertEquals(5, events.size(), "each munmap is a re-read, and at exit nothing is left mapped: " + events);
        assertEvent(events.get(2), T + 2, PID, TID, Op.REREAD, "/w/u", null, 0, 4096, 0, "", FsEvent.FLAG_APPROXIMATE);
    }

    @Test
    void whenAMappingProcessExitsEveryFileItMappedIsRereadOnce() {
        int other = PID + 1;
        int mappedReread = FsEvent.FLAG_APPROXIMATE | RecordLayout.FLAG_MAPPED;
        decode(rec(Op.REREAD.code(), T).path("/w/m").length(8192).flags(mappedReread),
                rec(Op.REREAD.code(), T + 1).path("/w/m").length(4096).flags(mappedReread),
                rec(Op.REREAD.code(), T + 2).path("/w/./n").offset(4096).length(4096).flags(mappedReread),
                rec(Op.REREAD.code(), T + 3).path("/w/m").length(8192).flags(FsEvent.FLAG_APPROXIMATE),
                TmRecord.of(Op.REREAD.code(), T + 4, other, other).path("/w/q").length(10).flags(mappedReread),
                TmRecord.of(RecordLayout.REC_EXIT_MAPPED, T + 5, PID, 0),
                TmRecord.of(RecordLayout.REC_EXIT_MAPPED, T + 6, PID, 0));
        assertEquals(7, events.size(), events.toString());
        assertEvent(events.get(0), T, PID, TID, Op.REREAD, "/w/m", null, 0, 8192, 0, "", FsEvent.FLAG_APPROXIMATE);
        assertEvent(events.get(2), T + 2, PID, TID, Op.REREAD, "/w/n", null, 4096, 4096, 0, "",
                FsEvent.FLAG_APPROXIMATE);
        assertEvent(events.get(4), T + 4, other, other, Op.REREAD, "/w/q", null, 0, 10, 0, "",
                FsEvent.FLAG_APPROXIMATE);
        // at exit: each file once, in the order first mapped, at the exit's time; a second exit finds nothing
        int mapped = dev.timemachine.api.ApproximateReason.MAPPED.code();
        assertEvent(events.get(5), T + 5, PID, PID, Op.REREAD, "/w/m", null, 0, 0, mapped, "", FsEvent.FLAG_SYNCED);
        assertEvent(events.get(6), T + 5, PID, PID, Op.REREAD, "/w/n", null, 0, 0, mapped, "", FsEvent.FLAG_SYNCED);

        decode(TmRecord.of(RecordLayout.REC_EXIT_MAPPED, T + 7, other, 0));
        assertEquals(8, events.size());
        assertEvent(events.get(7), T + 7, other, other, Op.REREAD, "/w/q", null, 0, 0, mapped, "",
                FsEvent.FLAG_SYNCED);
    }

    /**
     * msync and munmap are where the stores are in the file: synced, and approximate after only while some process
     * still maps it. A forked child shares its parent's mappings; an exec ends the old program's.
     */
    @Test
    void aMappedFileIsSyncedWhereTheStoresAreInItAndApproximateAfterOnlyWhileStillMapped() {
        int mapped = dev.timemachine.api.ApproximateReason.MAPPED.code();
        int child = PID + 1;
        int approx = FsEvent.FLAG_APPROXIMATE;
        decode(rec(Op.REREAD.code(), T).path("/w/m").length(8192).mode(mapped).flags(approx | RecordLayout.FLAG_MAPPED),
                rec(Op.REREAD.code(), T + 1).path("/w/m").length(8192).mode(mapped).flags(approx),
                TmRecord.of(Op.FORK.code(), T + 2, child, child).mode(PID),
                rec(Op.REREAD.code(), T + 3).path("/w/m").length(8192).mode(mapped)
                        .flags(approx | RecordLayout.FLAG_UNMAPPED),
                TmRecord.of(Op.EXEC.code(), T + 4, child, child).path("/bin/true"));
        assertEquals(6, events.size(), events.toString());
        assertEvent(events.get(0), T, PID, TID, Op.REREAD, "/w/m", null, 0, 8192, mapped, "", approx);
        assertEvent(events.get(1), T + 1, PID, TID, Op.REREAD, "/w/m", null, 0, 8192, mapped, "",
                approx | FsEvent.FLAG_SYNCED);
        assertEvent(events.get(3), T + 3, PID, TID, Op.REREAD, "/w/m", null, 0, 8192, mapped, "",
                approx | FsEvent.FLAG_SYNCED); // the child still maps it
        assertEquals(Op.EXEC, events.get(4).op());
        assertEvent(events.get(5), T + 4, child, child, Op.REREAD, "/w/m", null, 0, 0, mapped, "", FsEvent.FLAG_SYNCED);
    }

    /** An O_TMPFILE file: held until linked, then under its name, at the link's instant; renames followed. */
    @Test
    void anUnnamedFileAppearsAtItsLinkWithWhatWasWrittenBefore() {
        int tmp = RecordLayout.FLAG_TMPFILE;
        decode(rec(RecordLayout.REC_PATH, T).fileKey(KEY).path("/w/#77").flags(tmp),
                rec(Op.WRITE.code(), T + 1).fileKey(KEY).offset(0).length(2).data1(utf8("ab")),
                rec(Op.TRUNCATE.code(), T + 2).fileKey(KEY).path("/w/#77").length(5).flags(tmp),
                rec(Op.CHMOD.code(), T + 3).fileKey(KEY).path("/w/#77").mode(0600).flags(tmp));
        assertEquals(List.of(), events, "nothing before the link");
        decode(rec(Op.LINK.code(), T + 4).fileKey(KEY).path("/w/out").mode(0640).flags(tmp),
                rec(Op.WRITE.code(), T + 5).fileKey(KEY).offset(2).length(1).data1(utf8("c")),
                rec(Op.RENAME.code(), T + 6).path("/w").path2("/v"),
                rec(Op.WRITE.code(), T + 7).fileKey(KEY).offset(3).length(1).data1(utf8("d")),
                rec(Op.LINK.code(), T + 8).fileKey(KEY).path("/v/again").flags(tmp),
                rec(Op.UNLINK.code(), T + 9).path("/v/out"),
                rec(Op.WRITE.code(), T + 10).fileKey(KEY).offset(4).length(1).data1(utf8("e")));
        assertEquals(9, events.size(), events.toString());
        assertEvent(events.get(0), T + 4, PID, TID, Op.CREATE, "/w/out", null, 0, 0, 0640, "", 0);
        assertEvent(events.get(1), T + 4, PID, TID, Op.WRITE, "/w/out", null, 0, 2, 0, "ab", 0);
        assertEvent(events.get(2), T + 4, PID, TID, Op.TRUNCATE, "/w/out", null, 0, 5, 0, "", 0);
        assertEvent(events.get(3), T + 4, PID, TID, Op.CHMOD, "/w/out", null, 0, 0, 0600, "", 0);
        assertEvent(events.get(4), T + 5, PID, TID, Op.WRITE, "/w/out", null, 2, 1, 0, "c", 0);
        assertEvent(events.get(6), T + 7, PID, TID, Op.WRITE, "/v/out", null, 3, 1, 0, "d", 0);
        assertEvent(events.get(7), T + 8, PID, TID, Op.LINK, "/v/out", "/v/again", 0, 0, 0, "", 0);
        assertEquals(Op.UNLINK, events.get(8).op(), "after its name went, its writes change nothing in the tree");
    }

    /** An io_uring request's name changes count from its completion, and only if it succeeded. */
    @Test
    void anIoUringNameChangeIsDeliveredAtItsCompletionOnlyIfItSucceeded() {
        int uring = RecordLayout.FLAG_URING;
        decode(rec(Op.CREATE.code(), T).fileKey(KEY).path("/w/new").mode(0640).flags(uring),
                rec(Op.TRUNCATE.code(), T).fileKey(KEY).path("/w/new").flags(uring),
                rec(Op.RENAME.code(), T + 1).fileKey(OTHER_KEY).path("/w/missing").path2("/w/x").flags(uring),
                rec(Op.UNLINK.code(), T + 2).path("/w/seen"));
        assertEquals(1, events.size(), "nothing of the ring's until it completes: " + events);
        decode(rec(RecordLayout.REC_URING_DONE, T + 3).fileKey(OTHER_KEY).length(-2),
                rec(RecordLayout.REC_URING_DONE, T + 4).fileKey(KEY).length(5),
                rec(RecordLayout.REC_URING_DONE, T + 5).fileKey(KEY).length(5));
        assertEquals(3, events.size(), "the failed rename is dropped, a repeated completion finds nothing: " + events);
        assertEvent(events.get(1), T + 4, PID, TID, Op.CREATE, "/w/new", null, 0, 0, 0640, "", 0);
        assertEvent(events.get(2), T + 4, PID, TID, Op.TRUNCATE, "/w/new", null, 0, 0, 0, "", 0);
    }

    /** A copy into it, or a loss, makes its bytes at the link unknown: a re-read there, approximate. */
    @Test
    void anUnnamedFileWhoseBytesAreNotAllHeldIsRereadAtItsLink() {
        int tmp = RecordLayout.FLAG_TMPFILE;
        decode(rec(RecordLayout.REC_PATH, T).fileKey(KEY).path("/w/#78").flags(tmp),
                rec(Op.WRITE.code(), T + 1).fileKey(KEY).offset(0).length(2).data1(utf8("ab")),
                rec(Op.REREAD.code(), T + 2).fileKey(KEY).path("/w/#78").length(9).mode(10)
                        .flags(tmp | FsEvent.FLAG_APPROXIMATE),
                rec(Op.WRITE.code(), T + 3).fileKey(KEY).offset(0).length(2).data1(utf8("cd")),
                rec(Op.LINK.code(), T + 4).fileKey(KEY).path("/w/out").mode(0644).flags(tmp),
                rec(RecordLayout.REC_CLOSE, T + 5).fileKey(KEY),
                rec(RecordLayout.REC_PATH, T + 6).fileKey(KEY).path("/w/plain"),
                rec(Op.WRITE.code(), T + 7).fileKey(KEY).offset(0).length(1).data1(utf8("x")));
        assertEquals(3, events.size(), events.toString());
        assertEvent(events.get(0), T + 4, PID, TID, Op.CREATE, "/w/out", null, 0, 0, 0644, "", 0);
        assertEvent(events.get(1), T + 4, PID, TID, Op.REREAD, "/w/out", null, 0, 0,
                dev.timemachine.api.ApproximateReason.TMPFILE.code(), "", FsEvent.FLAG_APPROXIMATE);
        assertEvent(events.get(2), T + 7, PID, TID, Op.WRITE, "/w/plain", null, 0, 1, 0, "x", 0);
    }

    /**
     * A seeded fuzz of the ring records: every record the program writes, damaged (bytes flipped, types and lengths
     * made up), is decoded into events or skipped, and never throws; the records after it are still read.
     */
    @Test
    void damagedRecordsAreSkippedOrDecodedNeverThrown() {
        java.util.Random random = new java.util.Random(1201);
        int[] types = {Op.WRITE.code(), Op.CREATE.code(), Op.RENAME.code(), Op.COPY.code(), Op.EXEC.code(),
                Op.LINK.code(), Op.REREAD.code(), Op.LOST.code(), RecordLayout.REC_PATH, RecordLayout.REC_CLOSE,
                RecordLayout.REC_EXIT_MAPPED, RecordLayout.REC_URING_DONE, 99, 0, 65535};
        for (int round = 0; round < 3_000; round++) {
            TmRecord r = rec(types[random.nextInt(types.length)], T + round).fileKey(random.nextBoolean() ? KEY : OTHER_KEY)
                    .path("/w/f" + random.nextInt(4)).path2("/w/g").offset(random.nextInt(1 << 20))
                    .length(random.nextInt(1 << 20)).mode(random.nextInt(1 << 16))
                    .flags(random.nextInt(1 << 16));
            byte[] bytes = r.bytes();
            for (int k = random.nextInt(4); k > 0; k--) {
                bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            }
            ring.submit(bytes);
            ring.submit(rec(Op.UNLINK.code(), T + round).path("/w/after").bytes());
            List<FsEvent> got = new ArrayList<>();
            decoder.sink(got::add);
            ring.reader().drain(decoder, Integer.MAX_VALUE);
            assertEquals("/w/after", new String(got.get(got.size() - 1).path(), StandardCharsets.UTF_8),
                    "the record after a damaged one is read: " + got);
        }
    }

    @Test
    void aRecordShorterThanItsLengthsSayIsSkippedAndTheNextOneRead() {
        byte[] whole = rec(Op.UNLINK.code(), T).path("/w/cut").bytes();
        ring.submit(Arrays.copyOf(whole, whole.length - 1));
        ring.submit(new byte[RecordLayout.HDR_SIZE - 1]);
        decode(rec(Op.UNLINK.code(), T + 1).path("/w/next"));
        assertEquals(1, events.size(), events.toString());
        assertEvent(events.get(0), T + 1, PID, TID, Op.UNLINK, "/w/next", null, 0, 0, 0, "", 0);
    }
}
