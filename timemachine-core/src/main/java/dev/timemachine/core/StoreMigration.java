package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvCursor;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Copies a whole store from one engine to another, then verifies the copy: the same number of entries and
 * the same digest of every keyspace, and every content value hashing to its key.
 */
final class StoreMigration {
    private static final int BATCH_ENTRIES = 1_000;
    private static final long BATCH_BYTES = 16L << 20;

    private StoreMigration() {
    }

    /**
     * Copies {@code from} into {@code to} (which should be empty) and verifies the copy.
     *
     * @throws TimeMachineException if the copy does not match the source
     * @throws CorruptDataException if a content value of the source does not match its hash
     */
    static MigrationReport copy(KvTimeMachineStore from, KvTimeMachineStore to, ProgressListener progress) {
        progress.step("migrate");
        try {
            return copyAll(from, to, progress);
        } finally {
            progress.finished();
        }
    }

    private static MigrationReport copyAll(KvTimeMachineStore from, KvTimeMachineStore to, ProgressListener progress) {
        long copied = 0;
        KeyValueStore src = from.keyValueStore();
        KeyValueStore dst = to.keyValueStore();
        Map<Keyspace, Long> entries = new EnumMap<>(Keyspace.class);
        Map<Keyspace, Long> bytes = new EnumMap<>(Keyspace.class);
        for (Keyspace ks : Keyspace.values()) {
            long n = 0;
            long size = 0;
            try (SteppedBatch batch = new SteppedBatch(dst, BATCH_ENTRIES, BATCH_BYTES);
                 KvCursor c = src.scan(ks, null, null)) {
                while (c.next()) {
                    byte[] k = c.key();
                    byte[] v = c.value();
                    batch.put(ks, k, v);
                    n++;
                    progress.progress(++copied, "entries");
                    size += k.length + v.length;
                }
                batch.commit();
            }
            entries.put(ks, n);
            bytes.put(ks, size);
        }
        copySegments(from.segments(), to.segments());
        dst.sync();
        long verified = verify(src, dst, to);
        return new MigrationReport(entries, bytes, verified);
    }

    /** The payload log is the engine-neutral part of a state dir: its files are copied as they are, then synced. */
    private static void copySegments(Segments from, Segments to) {
        try {
            for (int id : from.ids()) {
                java.nio.file.Files.createDirectories(to.directory());
                java.nio.file.Files.copy(from.file(id), to.file(id));
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(to.file(id),
                        java.nio.file.StandardOpenOption.WRITE)) {
                    ch.force(false);
                }
            }
        } catch (java.io.IOException e) {
            throw new TimeMachineException("cannot copy the payload log to " + to.directory() + ": " + e.getMessage(), e);
        }
    }

    private static long verify(KeyValueStore src, KeyValueStore dst, KvTimeMachineStore to) {
        long contentVerified = 0;
        for (Keyspace ks : Keyspace.values()) {
            Digest a = digest(src, ks);
            Digest b = digest(dst, ks);
            if (a.count != b.count || !Arrays.equals(a.hash, b.hash)) {
                throw new TimeMachineException("migration check failed for keyspace " + ks.prefix() + ": source has "
                        + a.count + " entries, copy has " + b.count + (a.count == b.count ? " but they differ" : ""));
            }
            if (ks == Keyspace.CONTENT) {
                contentVerified = verifyContent(dst, to);
            }
        }
        return contentVerified;
    }

    /** Re-hashes every content value of the copy (chunked content reassembled). */
    private static long verifyContent(KeyValueStore kv, KvTimeMachineStore store) {
        long n = 0;
        try (KvCursor c = kv.scan(Keyspace.CONTENT, null, null)) {
            while (c.next()) {
                store.content().get(ContentHash.of(c.key())); // throws naming the key on a mismatch
                n++;
            }
        }
        return n;
    }

    private record Digest(long count, byte[] hash) {
    }

    private static Digest digest(KeyValueStore kv, Keyspace ks) {
        MessageDigest md = Hashing.newSha256();
        long n = 0;
        try (KvCursor c = kv.scan(ks, null, null)) {
            while (c.next()) {
                byte[] k = c.key();
                byte[] v = c.value();
                md.update(java.nio.ByteBuffer.allocate(8).putInt(k.length).putInt(v.length).array());
                md.update(k);
                md.update(v);
                n++;
            }
        }
        return new Digest(n, md.digest());
    }
}
