package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvCursor;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz of every keyspace's decoder: each entry of a real state dir (a recording with files, links,
 * renames, a journal and an event log), damaged in many ways (bytes flipped, cut short, grown, zeroed, random), must
 * decode or fail with a {@link CorruptDataException}, never another exception (an index out of bounds, a negative
 * array size, an allocation of gigabytes). Seeds are fixed, so a failure reproduces.
 */
class DecoderFuzzTest {
    private static final long S = 1_000_000_000L;
    private static final int MUTATIONS_PER_ENTRY = 300;

    @TempDir
    Path tmp;

    private record Entry(Keyspace keyspace, byte[] key, byte[] value) {
    }

    private List<Entry> entriesOfARealStateDir() {
        Path state = tmp.resolve("state");
        List<Entry> out = new ArrayList<>();
        try (TimeMachine tm = TimeMachine.create(state, TimeMachine.Options.defaults().withEngine(new MemoryEngine()))) {
            byte[] big = new byte[200_000];
            new Random(1).nextBytes(big);
            RecordingBuilder rec = RecordingBuilder.create(tm.store(), 10 * S, 1_700_000_000L * S, 20 * S, "/w")
                    .dir("/w", 10 * S, 0755)
                    .file("/w/a.txt", 11 * S, 0644, "hello\n")
                    .file("/w/big.bin", 11 * S, 0600, big)
                    .write("/w/a.txt", 12 * S, 0644, 6, RecordingBuilder.b("more\n"))
                    .truncate("/w/a.txt", 13 * S, 0644, 3)
                    .symlink("/w/link", 13 * S, "a.txt")
                    .link("/w/a.txt", "/w/hard", 14 * S, 0644)
                    .rename("/w/big.bin", "/w/moved.bin", 15 * S, 0600)
                    .delete("/w/link", 16 * S)
                    .flush();
            tm.store().journal(rec.id()).append(List.of(
                    FsEvent.write(17 * S, 4, RecordingBuilder.b("/w/a.txt"), 0, RecordingBuilder.b("journaled")),
                    FsEvent.of(18 * S, 4, Op.UNLINK, RecordingBuilder.b("/w/hard")),
                    FsEvent.copy(19 * S, 4, 5, RecordingBuilder.b("/w/c"), 0, RecordingBuilder.b("/w/a.txt"), 1, 2)));
            KeyValueStore kv = StoreTesting.keyValueStore(tm);
            for (Keyspace ks : Keyspace.values()) {
                try (KvCursor c = kv.scan(ks, null, null)) {
                    while (c.next()) {
                        out.add(new Entry(ks, c.key(), c.value()));
                    }
                }
            }
        }
        assertTrue(out.stream().map(Entry::keyspace).distinct().count() >= 5, "entries of most keyspaces: " + out.size());
        return out;
    }

    @Test
    void everyDecoderFailsOnlyWithCorruptDataException() {
        List<Entry> entries = entriesOfARealStateDir();
        Random random = new Random(20261201);
        int tried = 0;
        for (Entry e : entries) {
            KeyspaceCodec codec = Schema.codec(e.keyspace());
            for (int i = 0; i < MUTATIONS_PER_ENTRY; i++) {
                boolean inKey = random.nextInt(4) == 0;
                byte[] key = inKey ? mutate(e.key(), random) : e.key();
                byte[] value = inKey ? e.value() : mutate(e.value(), random);
                tried++;
                try {
                    codec.check(key, value);
                    codec.references(key, value, h -> { });
                } catch (CorruptDataException expected) {
                    // named and clear: what every damaged entry must give
                } catch (RuntimeException | OutOfMemoryError other) {
                    fail(e.keyspace() + " entry " + Schema.describe(e.keyspace(), key) + " (mutation " + i + " of "
                            + "value " + java.util.HexFormat.of().formatHex(Arrays.copyOf(value, Math.min(64, value.length)))
                            + "...) threw " + other, other);
                }
            }
        }
        assertTrue(tried > 1_000, "mutations tried: " + tried);
    }

    /** The bytes damaged in one of the ways damage happens: flipped, cut, grown, zeroed, spliced or random. */
    static byte[] mutate(byte[] in, Random r) {
        byte[] b = in.clone();
        switch (r.nextInt(7)) {
            case 0 -> {
                for (int k = 1 + r.nextInt(3); k > 0 && b.length > 0; k--) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, b.length == 0 ? 0 : r.nextInt(b.length));
            case 2 -> {
                b = Arrays.copyOf(b, b.length + 1 + r.nextInt(16));
                for (int k = in.length; k < b.length; k++) {
                    b[k] = (byte) r.nextInt();
                }
            }
            case 3 -> {
                if (b.length > 0) {
                    int from = r.nextInt(b.length);
                    Arrays.fill(b, from, Math.min(b.length, from + 1 + r.nextInt(16)), (byte) 0);
                }
            }
            case 4 -> {
                if (b.length > 0) {
                    int from = r.nextInt(b.length);
                    Arrays.fill(b, from, Math.min(b.length, from + 1 + r.nextInt(8)), (byte) 0xff);
                }
            }
            case 5 -> {
                b = new byte[r.nextInt(64)];
                r.nextBytes(b);
                if (in.length > 0 && b.length > 0) {
                    b[0] = in[0]; // the format byte kept: the decoder goes past it
                }
            }
            default -> {
                if (b.length > 8) {
                    int at = r.nextInt(b.length - 8);
                    long v = r.nextBoolean() ? Long.MAX_VALUE : r.nextBoolean() ? -1L : Integer.MAX_VALUE;
                    for (int k = 0; k < 8; k++) {
                        b[at + k] = (byte) (v >>> (56 - 8 * k)); // a length or count field made huge
                    }
                }
            }
        }
        return b;
    }
}
