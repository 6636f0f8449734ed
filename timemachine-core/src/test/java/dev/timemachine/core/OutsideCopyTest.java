package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A copy from outside the roots becomes writes of the source's bytes, or a re-read when they may have changed. */
class OutsideCopyTest {
    @TempDir
    Path tmp;

    private static final byte[] DST = PathBytes.bytes("/w/dst");

    private FsEvent copyAt(long monotonicNs, Path source, long sourceOffset, long length) {
        return FsEvent.copy(monotonicNs, 7, 8, DST, 100, PathBytes.bytes(source), sourceOffset, length);
    }

    private Path source(int size) throws Exception {
        byte[] bytes = new byte[size];
        new Random(3).nextBytes(bytes);
        return Files.write(tmp.resolve("lib.bin"), bytes);
    }

    private static List<FsEvent> resolve(FsEvent copy) {
        List<FsEvent> out = new ArrayList<>();
        OutsideCopy.resolve(copy, out::add);
        return out;
    }

    @Test
    void aCopyOfASourceUnchangedSinceBecomesWritesOfItsBytesInPieces() throws Exception {
        int size = 2 * OutsideCopy.PIECE + 1000;
        Path src = source(size);
        Thread.sleep(OutsideCopy.STAMP_GRANULARITY_NS / 1_000_000 * 2);
        List<FsEvent> got = resolve(copyAt(System.nanoTime(), src, 500, size - 500));
        assertEquals(3, got.size(), got.toString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < got.size(); i++) {
            FsEvent w = got.get(i);
            assertEquals(Op.WRITE, w.op());
            assertArrayEquals(DST, w.path());
            assertEquals(100 + bytes.size(), w.offset());
            assertEquals(i < 2, w.has(FsEvent.FLAG_CHUNK_MORE), "every piece but the last says more follow");
            bytes.writeBytes(w.payload());
        }
        byte[] all = Files.readAllBytes(src);
        assertArrayEquals(Arrays.copyOfRange(all, 500, size), bytes.toByteArray());
    }

    @Test
    void aSourceChangedAfterTheCopyMakesTheDestinationAReread() throws Exception {
        Path src = source(5000);
        // the copy happened a second before the source's last change
        List<FsEvent> got = resolve(copyAt(System.nanoTime() - 1_000_000_000L, src, 0, 5000));
        assertEquals(1, got.size(), got.toString());
        assertEquals(Op.REREAD, got.get(0).op());
        assertTrue(got.get(0).has(FsEvent.FLAG_APPROXIMATE));
        assertArrayEquals(DST, got.get(0).path());
    }

    @Test
    void aSourceShorterThanTheCopyOrGoneIsAReread() throws Exception {
        Path src = source(5000);
        Thread.sleep(OutsideCopy.STAMP_GRANULARITY_NS / 1_000_000 * 2);
        List<FsEvent> shorter = resolve(copyAt(System.nanoTime(), src, 4000, 2000));
        assertEquals(Op.REREAD, shorter.get(shorter.size() - 1).op());
        Files.delete(src);
        List<FsEvent> gone = resolve(copyAt(System.nanoTime(), src, 0, 10));
        assertEquals(List.of(Op.REREAD), gone.stream().map(FsEvent::op).toList());
    }
}
