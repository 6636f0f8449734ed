package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.Op;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The writer alone: records from events, and the keyframes of small files from the bytes it holds. */
class VersionWriterTest {
    private static final byte[] ROOT = b("/r");
    private static final byte[] FILE = b("/r/hot");

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private final AtomicInteger readBacks = new AtomicInteger();
    private byte[] readBackGives = new byte[0];
    private long seq;

    private VersionWriter writer(TreeState tree) {
        PathFilter filter = new PathFilter(List.of(Path.of("/r")), List.of(), null);
        return new VersionWriter(tree, filter, new DiskImporter(null, filter), (path, t, s) -> {
            readBacks.incrementAndGet();
            return readBackGives.clone();
        }, hash -> {
            throw new AssertionError("no payload is fetched: the events carry them");
        });
    }

    /** A writer over a tree holding the root, with {@link #FILE} just created in it. */
    private VersionWriter writerOfANewFile() {
        TreeState tree = new TreeState();
        tree.put(ROOT, new TreeState.Dir(0755));
        VersionWriter w = writer(tree);
        apply(w, new FsEvent(1, 1, 1, Op.CREATE, FILE, null, 0, 0, 0644, null, 0));
        return w;
    }

    private void apply(VersionWriter w, FsEvent e) {
        w.apply(JournalTail.Held.of(new JournalEntry(++seq, e), null));
    }

    /** Chunks the writer brought so far, by hash: the chunked keyframes to come name some of them again. */
    private final Map<ContentHash, byte[]> chunks = new HashMap<>();

    /**
     * The bytes of a keyframe the writer has pending, whole or chunked; a chunked one is checked to be exactly
     * what the content store makes of the same bytes whole.
     */
    private byte[] keyframe(VersionWriter w, Version v) {
        ContentHash h = v.record().content();
        byte[] whole = w.pendingContent().get(h);
        if (whole != null) {
            return whole;
        }
        rememberChunks(w);
        GrowingContent.Chunked c = w.pendingChunked().stream().filter(k -> k.hash().equals(h)).findFirst().orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < c.parts().size(); i++) {
            byte[] part = chunks.get(c.parts().get(i));
            assertEquals((int) c.lengths().get(i), part.length);
            out.writeBytes(part);
        }
        byte[] bytes = out.toByteArray();
        assertEquals(ContentHash.sha256(bytes), h, "the keyframe's hash is its bytes'");
        List<Integer> ends = Chunker.boundaries(bytes);
        assertEquals(ends.size(), c.parts().size(), "the chunks of the same bytes given whole");
        int start = 0;
        for (int i = 0; i < ends.size(); i++) {
            assertEquals(ContentHash.sha256(Arrays.copyOfRange(bytes, start, ends.get(i))), c.parts().get(i), "chunk " + i);
            start = ends.get(i);
        }
        return bytes;
    }

    private void rememberChunks(VersionWriter w) {
        for (GrowingContent.Chunked c : w.pendingChunked()) {
            int first = c.parts().size() - c.newParts().size();
            for (int i = 0; i < c.newParts().size(); i++) {
                chunks.put(c.parts().get(first + i), c.newParts().get(i));
            }
        }
    }

    private void clear(VersionWriter w) {
        rememberChunks(w);
        w.pending().clear();
        w.pendingContent().clear();
        w.pendingChunked().clear();
    }

    /**
     * A log grown by small appends, then written into below its last keyframe, truncated and grown again: every
     * keyframe holds exactly its bytes, chunked as if given whole, and while it only grows, each keyframe hashes
     * and chunks only what is new to it (and the last chunk before).
     */
    @Test
    void keyframesOfAGrowingFileChunkOnlyWhatIsNew() {
        VersionWriter w = writerOfANewFile();
        Random rnd = new Random(7);
        byte[] model = new byte[8 << 20];
        int size = 0;
        int keyframes = 0;
        long broughtWhileGrowing = 0;
        int chunkedWhileGrowing = 0;
        for (int i = 0; i < 190_000; i++) {
            byte[] payload = new byte[1 + rnd.nextInt(2)]; // appends this small still get keyframes
            rnd.nextBytes(payload);
            int offset = size;
            if (i == 150_000) {
                offset = size / 3; // below the last keyframe's end
            }
            if (i == 170_000) {
                apply(w, new FsEvent(2 + i, 1, 1, Op.TRUNCATE, FILE, null, 0, size / 2, 0, null, 0));
                Arrays.fill(model, size / 2, size, (byte) 0);
                size /= 2;
                offset = size;
            }
            size = Math.max(size, offset + payload.length);
            System.arraycopy(payload, 0, model, offset, payload.length);
            apply(w, FsEvent.write(2 + i, 1, FILE, offset, payload));
            for (Version v : w.pending()) {
                if (v.record().kind() == VersionRecord.Kind.KEYFRAME && v.sequence() == seq) {
                    assertArrayEquals(Arrays.copyOf(model, size), keyframe(w, v), "keyframe at write " + i);
                    keyframes++;
                }
            }
            if (i < 150_000) {
                for (GrowingContent.Chunked c : w.pendingChunked()) {
                    chunkedWhileGrowing++;
                    broughtWhileGrowing += c.newParts().stream().mapToLong(p -> p.length).sum();
                }
            }
            clear(w);
            if (i == 149_999) {
                assertTrue(chunkedWhileGrowing >= 4, "chunked keyframes: " + chunkedWhileGrowing);
                assertTrue(broughtWhileGrowing <= size + (long) chunkedWhileGrowing * Chunker.MAX,
                        broughtWhileGrowing + " bytes chunked for " + chunkedWhileGrowing + " keyframes of a file of "
                                + size);
            }
        }
        assertTrue(keyframes >= 8, "keyframes: " + keyframes);
        assertEquals(0, readBacks.get(), "no keyframe needed the store");
    }

    /** A log grown by 64-byte writes at its end: its rebuild copies them into one slice, so it gets no keyframe. */
    @Test
    void smallAppendsOfSixtyFourBytesGetNoKeyframe() {
        VersionWriter w = writerOfANewFile();
        clear(w); // the empty file's keyframe
        int keyframes = 0;
        for (int i = 0; i < 20_000; i++) {
            apply(w, FsEvent.write(2 + i, 1, FILE, i * 64L, new byte[64]));
            keyframes += (int) w.pending().stream().filter(v -> v.record().kind() == VersionRecord.Kind.KEYFRAME).count();
            clear(w);
        }
        assertEquals(0, keyframes);
        // the same writes one byte short of the end each: every one a change record, and keyframes again
        for (int i = 0; i < 20_000; i++) {
            apply(w, FsEvent.write(30_000 + i, 1, FILE, 20_000 * 64L + i * 63L - 1, new byte[64]));
            keyframes += (int) w.pending().stream().filter(v -> v.record().kind() == VersionRecord.Kind.KEYFRAME).count();
            clear(w);
        }
        assertTrue(keyframes >= 1, "keyframes: " + keyframes);
    }

    /** Many 4 KiB writes at scattered offsets: every keyframe holds exactly the bytes written so far, none read back. */
    @Test
    void keyframesOfAFileCreatedInTheRecordingComeFromTheBytesItHolds() {
        VersionWriter w = writerOfANewFile();
        Random rnd = new Random(3);
        byte[] model = new byte[0];
        int keyframes = 0;
        for (int i = 0; i < 400; i++) {
            byte[] payload = new byte[4096];
            rnd.nextBytes(payload);
            int offset = rnd.nextInt(100_000);
            model = Arrays.copyOf(model, Math.max(model.length, offset + payload.length));
            System.arraycopy(payload, 0, model, offset, payload.length);
            apply(w, FsEvent.write(2 + i, 1, FILE, offset, payload));
            for (Version v : w.pending()) {
                if (v.record().kind() == VersionRecord.Kind.KEYFRAME && v.sequence() == seq) {
                    assertArrayEquals(model, keyframe(w, v), "keyframe at write " + i);
                    keyframes++;
                }
            }
            clear(w);
        }
        assertTrue(keyframes >= 3, "keyframes: " + keyframes);
        assertEquals(0, readBacks.get(), "no keyframe needed the store");
    }

    /**
     * A database's pages written again and again, their payloads journaled (in the store, not in the events):
     * every keyframe holds exactly the bytes written, and of the writes since the last keyframe only the last
     * one to each page has its payload fetched.
     */
    @Test
    void aPageWrittenAgainBeforeAKeyframeIsFetchedOnce() {
        Map<ContentHash, byte[]> stored = new HashMap<>();
        AtomicInteger fetched = new AtomicInteger();
        TreeState tree = new TreeState();
        tree.put(ROOT, new TreeState.Dir(0755));
        PathFilter filter = new PathFilter(List.of(Path.of("/r")), List.of(), null);
        VersionWriter w = new VersionWriter(tree, filter, new DiskImporter(null, filter), (path, t, s) -> {
            throw new AssertionError("the writer holds the file's bytes");
        }, hash -> {
            fetched.incrementAndGet();
            return stored.get(hash);
        });
        apply(w, new FsEvent(1, 1, 1, Op.CREATE, FILE, null, 0, 0, 0644, null, 0));
        clear(w);
        Random rnd = new Random(11);
        int pages = 16;
        byte[] model = new byte[pages * 4096];
        Set<Long> sinceKeyframe = new HashSet<>();
        int expectedFetches = 0;
        int keyframes = 0;
        for (int i = 0; i < 3000; i++) {
            long offset = i % 2 == 0 ? 0 : 4096L * (1 + rnd.nextInt(pages - 1)); // the header page every other write
            byte[] page = new byte[4096];
            rnd.nextBytes(page);
            System.arraycopy(page, 0, model, (int) offset, page.length);
            ContentHash h = ContentHash.sha256(page);
            stored.put(h, page);
            sinceKeyframe.add(offset);
            FsEvent journaled = new FsEvent(2 + i, 1, 1, Op.WRITE, FILE, null, offset, page.length, 0, new byte[0], 0);
            w.apply(new JournalTail.Held(new JournalEntry(++seq, journaled), h, page.length));
            for (Version v : w.pending()) {
                if (v.record().kind() == VersionRecord.Kind.KEYFRAME && v.sequence() == seq) {
                    assertArrayEquals(model, keyframe(w, v), "keyframe at write " + i);
                    keyframes++;
                    expectedFetches += sinceKeyframe.size();
                    sinceKeyframe.clear();
                }
            }
            clear(w);
        }
        assertTrue(keyframes >= 50, "keyframes: " + keyframes);
        assertEquals(expectedFetches, fetched.get(), "payloads fetched for " + keyframes + " keyframes");
    }

    /**
     * A file from the baseline, whose bytes the writer does not hold: its first keyframe reads it back (here from
     * a model of what the store would rebuild), the later ones come from memory.
     */
    @Test
    void aBaselineFileIsReadBackForItsFirstKeyframeOnly() {
        TreeState tree = new TreeState();
        tree.put(ROOT, new TreeState.Dir(0755));
        readBackGives = new byte[20_000];
        Arrays.fill(readBackGives, (byte) 'b');
        tree.put(FILE, new TreeState.File(new TreeState.Inode(readBackGives.length, 0644)));
        VersionWriter w = writer(tree);
        byte[] model = readBackGives.clone();
        int keyframes = 0;
        for (int i = 0; i < 200; i++) {
            byte[] payload = new byte[1024];
            Arrays.fill(payload, (byte) i);
            int offset = (i * 997) % 19_000;
            readBackGives = model.clone(); // what the store rebuilds before this write
            System.arraycopy(payload, 0, model, offset, payload.length);
            apply(w, FsEvent.write(2 + i, 1, FILE, offset, payload));
            for (Version v : w.pending()) {
                if (v.record().kind() == VersionRecord.Kind.KEYFRAME) {
                    assertArrayEquals(model, keyframe(w, v), "keyframe at write " + i);
                    keyframes++;
                }
            }
            clear(w);
        }
        assertTrue(keyframes >= 1, "keyframes: " + keyframes);
        assertEquals(1, readBacks.get());
    }

    /**
     * Writes whose payloads the journal stored by hash are copied into the held bytes only when a keyframe needs
     * them: a file written once, in order, fetches nothing; later, in-memory writes land after the deferred ones,
     * a truncate cuts them, and the keyframe holds exactly the file's bytes.
     */
    @Test
    void storedPayloadsAreFetchedOnlyWhenAKeyframeNeedsThem() {
        Map<ContentHash, byte[]> stored = new HashMap<>();
        Map<ContentHash, Integer> fetches = new HashMap<>();
        TreeState tree = new TreeState();
        tree.put(ROOT, new TreeState.Dir(0755));
        PathFilter filter = new PathFilter(List.of(Path.of("/r")), List.of(), null);
        VersionWriter w = new VersionWriter(tree, filter, new DiskImporter(null, filter), (path, t, s) -> {
            throw new AssertionError("the held bytes serve every keyframe");
        }, hash -> {
            fetches.merge(hash, 1, Integer::sum);
            return stored.get(hash).clone();
        });
        apply(w, new FsEvent(1, 1, 1, Op.CREATE, FILE, null, 0, 0, 0644, null, 0));
        Random rnd = new Random(11);
        byte[] model = new byte[0];
        long t = 2;
        // written once, in order, in 10 KiB writes the journal stored: no keyframe, nothing fetched
        for (int i = 0; i < 6; i++) {
            model = storedWrite(w, stored, rnd, model, t++, model.length, 10_240);
        }
        assertTrue(fetches.isEmpty(), "fetched " + fetches);
        // a small write that came with its bytes, after the deferred ones and over one of them
        byte[] small = new byte[64];
        Arrays.fill(small, (byte) 'B');
        apply(w, FsEvent.write(t++, 1, FILE, 10, small));
        System.arraycopy(small, 0, model, 10, 64);
        apply(w, new FsEvent(t++, 1, 1, Op.TRUNCATE, FILE, null, 0, 50_000, 0, null, 0));
        model = Arrays.copyOf(model, 50_000);
        assertEquals(6, fetches.size(), "the truncate needed the bytes");
        // overwrites until a keyframe is due: it holds exactly the model
        int keyframes = 0;
        for (int i = 0; i < 40 && keyframes == 0; i++) {
            model = storedWrite(w, stored, rnd, model, t++, rnd.nextInt(60_000), 4_096);
            for (Version v : w.pending()) {
                if (v.record().kind() == VersionRecord.Kind.KEYFRAME && v.sequence() == seq) {
                    assertArrayEquals(model, keyframe(w, v), "keyframe at overwrite " + i);
                    keyframes++;
                }
            }
        }
        assertEquals(1, keyframes);
        assertTrue(fetches.values().stream().allMatch(n -> n == 1), "each payload fetched once: " + fetches);
    }

    /** A write of {@code length} random bytes at {@code offset} whose payload only the store has; the new model. */
    private byte[] storedWrite(VersionWriter w, Map<ContentHash, byte[]> stored, Random rnd, byte[] model, long t,
                               int offset, int length) {
        byte[] payload = new byte[length];
        rnd.nextBytes(payload);
        ContentHash h = ContentHash.sha256(payload);
        stored.put(h, payload);
        FsEvent kept = new FsEvent(t, 1, 1, Op.WRITE, FILE, null, offset, length, 0, null, 0);
        w.apply(new JournalTail.Held(new JournalEntry(++seq, kept), h, length));
        byte[] next = Arrays.copyOf(model, Math.max(model.length, offset + length));
        System.arraycopy(payload, 0, next, offset, length);
        return next;
    }
}
