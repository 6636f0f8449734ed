package dev.timemachine.core;

import static dev.timemachine.core.RecordingBuilder.DIR;
import static dev.timemachine.core.RecordingBuilder.FILE;
import static dev.timemachine.core.RecordingBuilder.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.FileState;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.VersionRecord;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rebuild contract of {@link VersionRecord}, checked on recordings written straight through the api. Each
 * engine runs it by subclassing and naming its engine.
 */
public abstract class ReplayerContract extends EngineTestBase {
    protected KvTimeMachineStore store;

    @BeforeEach
    void openStore() {
        store = open();
    }

    private RecordingBuilder recording() {
        return RecordingBuilder.create(store, 0, 1_000_000_000L, 0, "/w");
    }

    private String text(KvReplayer r, String path, long t) {
        return new String(r.contentAt(b(path), t, Long.MAX_VALUE), StandardCharsets.UTF_8);
    }

    private byte[] streamed(KvReplayer r, String path, long t) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.contentAt(b(path), t, out);
        return out.toByteArray();
    }

    @Test
    void keyframeExtentsAndTruncatesWithHolesReadingZero() throws Exception {
        RecordingBuilder rec = recording()
                .file("/w/f", 10, 0644, "hello world")
                .write("/w/f", 20, 0644, 20, b("XY"))
                .write("/w/f", 30, 0644, 1, b("EL"))
                .truncate("/w/f", 40, 0644, 5)
                .truncate("/w/f", 50, 0644, 8)
                .flush();
        KvReplayer r = new KvReplayer(store, rec.id());
        byte[] p = b("/w/f");
        assertTrue(r.stateAt(p, 9).isEmpty(), "before the first version");
        assertEquals("hello world", text(r, "/w/f", 10), "exactly at the keyframe");
        assertEquals("hello world", text(r, "/w/f", 19), "between versions");
        byte[] expected = new byte[22];
        System.arraycopy(b("hello world"), 0, expected, 0, 11);
        expected[20] = 'X';
        expected[21] = 'Y';
        assertArrayEquals(expected, r.contentAt(p, 20, Long.MAX_VALUE));
        assertEquals(22, r.stateAt(p, 25).orElseThrow().size());
        expected[1] = 'E';
        expected[2] = 'L';
        assertArrayEquals(expected, streamed(r, "/w/f", 30));
        assertEquals("hELlo", text(r, "/w/f", 45));
        assertArrayEquals(new byte[] {'h', 'E', 'L', 'l', 'o', 0, 0, 0}, r.contentAt(p, Long.MAX_VALUE, Long.MAX_VALUE));
        FileState s = r.stateAt(p, 50).orElseThrow();
        assertEquals(FileState.Type.REGULAR, s.type());
        assertEquals(0644, s.mode());
        assertEquals(8, s.size());
        assertFalse(s.approximate());
    }

    @Test
    void sequenceOrdersRecordsWithEqualTimestamps() {
        RecordingBuilder rec = recording()
                .file("/w/f", 5, 0644, "old")
                .file("/w/tmp", 20, 0600, "new");
        long beforeRename = rec.lastSequence();
        rec.rename("/w/tmp", "/w/f", 20, FILE | 0600).flush();
        long renameSeq = rec.lastSequence();
        KvReplayer r = new KvReplayer(store, rec.id());
        assertEquals("old", new String(r.contentAt(b("/w/f"), 20, beforeRename)));
        assertEquals("new", new String(r.contentAt(b("/w/f"), 20, renameSeq)));
        assertEquals("new", new String(r.contentAt(b("/w/tmp"), 20, beforeRename)));
        assertTrue(r.stateAt(b("/w/tmp"), 20, renameSeq).isEmpty());
        assertEquals(0600, r.stateAt(b("/w/f"), 20).orElseThrow().mode());
        assertEquals("old", new String(r.contentAt(b("/w/f"), 19, Long.MAX_VALUE)));
    }

    @Test
    void exchangeSwapsBothPathsAtOneInstant() {
        RecordingBuilder rec = recording().file("/w/a", 1, 0644, "A").dir("/w/b", 2, 0755).flush();
        long s = rec.lastSequence() + 1;
        rec.add(b("/w/a"), 30, s, new VersionRecord(VersionRecord.Kind.RENAME, 0, 0, null, DIR | 0755, b("/w/b"), 0));
        rec.add(b("/w/b"), 30, s, new VersionRecord(VersionRecord.Kind.RENAME, 0, 0, null, FILE | 0644, b("/w/a"), 0));
        rec.flush();
        KvReplayer r = new KvReplayer(store, rec.id());
        assertEquals(FileState.Type.DIRECTORY, r.stateAt(b("/w/a"), 30).orElseThrow().type());
        assertEquals("A", new String(r.contentAt(b("/w/b"), 30, Long.MAX_VALUE)));
        assertEquals("A", new String(r.contentAt(b("/w/a"), 29, Long.MAX_VALUE)));
    }

    @Test
    void aRenameChainOfTenThousandDoesNotOverflowTheStack() {
        RecordingBuilder rec = recording().file("/w/f0", 1, 0640, "payload").write("/w/f0", 2, 0640, 7, b("!"));
        int n = 10_000;
        for (int i = 1; i <= n; i++) {
            rec.rename("/w/f" + (i - 1), "/w/f" + i, 2 + i, FILE | 0640);
        }
        rec.write("/w/f" + n, n + 10, 0640, 0, b("P")).flush();
        KvReplayer r = new KvReplayer(store, rec.id());
        assertEquals("Payload!", text(r, "/w/f" + n, Long.MAX_VALUE));
        assertEquals("payload!", text(r, "/w/f" + n, n + 9));
        assertEquals("payload!", text(r, "/w/f5000", 5002));
        assertTrue(r.stateAt(b("/w/f5000"), 5003).isEmpty());
        List<String> paths = new ArrayList<>();
        r.forEachAt(Long.MAX_VALUE, s -> paths.add(new String(s.path())));
        assertEquals(List.of("/w/f" + n), paths);
    }

    @Test
    void hardLinkHoldsTheSourceContentAndMode() {
        RecordingBuilder rec = recording().file("/w/a", 1, 0604, "shared").link("/w/a", "/w/b", 2, FILE | 0604)
                .write("/w/a", 3, 0604, 0, b("S")).write("/w/b", 3, 0604, 0, b("S")).flush();
        KvReplayer r = new KvReplayer(store, rec.id());
        assertEquals("shared", text(r, "/w/b", 2));
        assertEquals("Shared", text(r, "/w/b", 3));
        assertEquals("Shared", text(r, "/w/a", 3));
        assertEquals(0604, r.stateAt(b("/w/b"), 3).orElseThrow().mode());
    }

    @Test
    void directoryRenameExpandedPerPathAndDeletes() {
        RecordingBuilder rec = recording().dir("/w", 1, 0755).dir("/w/d", 1, 0750).file("/w/d/f", 2, 0644, "f")
                .dir("/w/d/sub", 2, 0700).symlink("/w/d/sub/l", 3, "../f")
                .rename("/w/d", "/w/e", 10, DIR | 0750).rename("/w/d/f", "/w/e/f", 10, FILE | 0644)
                .rename("/w/d/sub", "/w/e/sub", 10, DIR | 0700).rename("/w/d/sub/l", "/w/e/sub/l", 10, 0120777)
                .file("/w/gone", 3, 0644, "x").delete("/w/gone", 11).flush();
        KvReplayer r = new KvReplayer(store, rec.id());
        assertEquals(List.of("/w", "/w/d", "/w/d/f", "/w/d/sub", "/w/d/sub/l", "/w/gone"), pathsAt(r, 9));
        assertEquals(List.of("/w", "/w/e", "/w/e/f", "/w/e/sub", "/w/e/sub/l", "/w/gone"), pathsAt(r, 10));
        assertEquals(List.of("/w", "/w/e", "/w/e/f", "/w/e/sub", "/w/e/sub/l"), pathsAt(r, 11));
        FileState link = r.stateAt(b("/w/e/sub/l"), 10).orElseThrow();
        assertEquals(FileState.Type.SYMLINK, link.type());
        assertEquals("../f", new String(link.target()));
        assertEquals(0750, r.stateAt(b("/w/e"), 10).orElseThrow().mode());
        assertEquals(FileState.Type.DIRECTORY, r.stateAt(b("/w/e/sub"), 10).orElseThrow().type());
    }

    private static List<String> pathsAt(KvReplayer r, long t) {
        List<String> paths = new ArrayList<>();
        r.forEachAt(t, s -> paths.add(new String(s.path(), StandardCharsets.UTF_8)));
        return paths;
    }

    @Test
    void forEachAtPutsParentsBeforeChildrenInByteOrder() {
        RecordingBuilder rec = recording();
        // '.' (0x2E) sorts before '/' (0x2F): the child of /w/a still follows /w/a.
        rec.file("/w/a.b", 1, 0644, "1").file("/w/a/c", 1, 0644, "2").dir("/w/a", 1, 0755).dir("/w", 1, 0755)
                .file("/w/\u00e9", 1, 0644, "3").flush();
        List<String> paths = pathsAt(new KvReplayer(store, rec.id()), 1);
        assertEquals(List.of("/w", "/w/a", "/w/a.b", "/w/a/c", "/w/\u00e9"), paths);
    }

    @Test
    void modeRecordsChangePermissionBits() {
        RecordingBuilder rec = recording().file("/w/x", 1, 0644, "#!/bin/sh").chmod("/w/x", 2, FILE | 04755)
                .dir("/w/d", 1, 0755).chmod("/w/d", 3, DIR | 01777).flush();
        KvReplayer r = new KvReplayer(store, rec.id());
        assertEquals(0644, r.stateAt(b("/w/x"), 1).orElseThrow().mode());
        assertEquals(04755, r.stateAt(b("/w/x"), 2).orElseThrow().mode());
        assertEquals("#!/bin/sh", text(r, "/w/x", 2));
        FileState d = r.stateAt(b("/w/d"), 3).orElseThrow();
        assertEquals(FileState.Type.DIRECTORY, d.type());
        assertEquals(01777, d.mode());
    }

    @Test
    void approximatePropagatesThroughRenamesAndChangesWithoutBaseStartEmpty() {
        RecordingBuilder rec = recording()
                .file("/w/mm", 1, 0644, b("mapped"), VersionRecord.FLAG_APPROXIMATE)
                .rename("/w/mm", "/w/moved", 2, FILE | 0644)
                .write("/w/nobase", 3, 0644, 4, b("tail"))
                .file("/w/exact", 1, 0644, "e")
                .write("/w/exact", 5, 0644, 0, b("E"), VersionRecord.FLAG_APPROXIMATE)
                .flush();
        KvReplayer r = new KvReplayer(store, rec.id());
        assertTrue(r.stateAt(b("/w/moved"), 2).orElseThrow().approximate());
        assertEquals("mapped", text(r, "/w/moved", 2));
        FileState nobase = r.stateAt(b("/w/nobase"), 3).orElseThrow();
        assertTrue(nobase.approximate());
        assertEquals(8, nobase.size());
        assertArrayEquals(new byte[] {0, 0, 0, 0, 't', 'a', 'i', 'l'}, r.contentAt(b("/w/nobase"), 3, Long.MAX_VALUE));
        assertFalse(r.stateAt(b("/w/exact"), 4).orElseThrow().approximate());
        assertTrue(r.stateAt(b("/w/exact"), 5).orElseThrow().approximate());
        assertEquals(KvReplayer.REASON_NO_BASE, r.rebuild(b("/w/nobase"), 3, Long.MAX_VALUE).approximateReason);
    }

    @Test
    void aRenameFromAnUnknownSourceIsApproximateAndReported() {
        RecordingBuilder rec = recording().rename("/w/never", "/w/f", 5, FILE | 0644).flush();
        KvReplayer r = new KvReplayer(store, rec.id());
        FileState s = r.stateAt(b("/w/f"), 5).orElseThrow();
        assertTrue(s.approximate());
        assertEquals(0, s.size());
        List<String> problems = r.rebuildProblems(b("/w/f"), 5, rec.lastSequence());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("/w/never"), problems.get(0));
    }

    @Test
    void contentOfAbsentOrNonRegularPathsIsAClearError() {
        RecordingBuilder rec = recording().dir("/w/d", 1, 0755).flush();
        KvReplayer r = new KvReplayer(store, rec.id());
        TimeMachineException e = assertThrows(TimeMachineException.class, () -> r.contentAt(b("/w/d"), 1, Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("/w/d is a directory"), e.getMessage());
        assertThrows(TimeMachineException.class, () -> r.contentAt(b("/w/nothing"), 1, Long.MAX_VALUE));
    }

    @Test
    void writesALargeSparseFileIntoAChannelWithoutFillingTheHoles() throws Exception {
        Random rnd = new Random(1);
        byte[] head = new byte[3 << 20];
        rnd.nextBytes(head);
        long far = 5L << 30;
        RecordingBuilder rec = recording().file("/w/big", 1, 0644, head)
                .write("/w/big", 2, 0644, 100, b("patch"))
                .write("/w/big", 3, 0644, far, b("end"))
                .truncate("/w/big", 4, 0644, far + 4096).flush();
        KvReplayer r = new KvReplayer(store, rec.id());
        Path out = tmp.resolve("big");
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            FileState s = r.writeContent(b("/w/big"), 4, Long.MAX_VALUE, ch);
            assertEquals(far + 4096, s.size());
        }
        assertEquals(far + 4096, Files.size(out));
        byte[] expectedHead = head.clone();
        System.arraycopy(b("patch"), 0, expectedHead, 100, 5);
        try (FileChannel ch = FileChannel.open(out)) {
            ByteBuffer buf = ByteBuffer.allocate(head.length + 16);
            ch.read(buf, 0);
            byte[] got = Arrays.copyOf(buf.array(), buf.position());
            assertArrayEquals(expectedHead, Arrays.copyOf(got, head.length));
            assertArrayEquals(new byte[16], Arrays.copyOfRange(got, head.length, got.length), "hole after the keyframe");
            ByteBuffer tail = ByteBuffer.allocate(4200);
            ch.read(tail, far - 100);
            byte[] t = tail.array();
            assertArrayEquals(new byte[100], Arrays.copyOf(t, 100));
            assertArrayEquals(b("end"), Arrays.copyOfRange(t, 100, 103));
            assertEquals(4196, tail.position());
        }
        Optional<Long> blocks = allocatedBlocks(out);
        blocks.ifPresent(n -> assertTrue(n * 512 < 64L << 20, "holes stay holes: " + n + " blocks allocated"));
    }

    private static Optional<Long> allocatedBlocks(Path p) {
        try {
            Process proc = new ProcessBuilder("stat", "-c", "%b", p.toString()).redirectErrorStream(true).start();
            String outText = new String(proc.getInputStream().readAllBytes()).strip();
            return proc.waitFor() == 0 ? Optional.of(Long.parseLong(outText)) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    @Test
    void deletedThenRecreatedPathsStartEmptyAndExact() {
        RecordingBuilder rec = recording().file("/w/f", 1, 0644, "one").delete("/w/f", 2)
                .write("/w/f", 3, 0600, 0, b("two")).flush();
        KvReplayer r = new KvReplayer(store, rec.id());
        assertTrue(r.stateAt(b("/w/f"), 2).isEmpty());
        FileState s = r.stateAt(b("/w/f"), 3).orElseThrow();
        assertFalse(s.approximate());
        assertEquals("two", text(r, "/w/f", 3));
    }
}
