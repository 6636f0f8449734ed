package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.ContentMissingException;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.core.VerifyReport.Kind;
import dev.timemachine.core.VerifyReport.Problem;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a whole state dir in one pass over each keyspace: every entry decodes (through the keyspace's own
 * codec), every content value hashes to its key, and every version record's content, path and rename or link
 * source exist. Each version costs a fixed number of lookups, so the work grows with what is stored, never with
 * versions times file size. Each problem names its key, and the check goes on past it, so one run finds them all.
 */
final class StoreVerifier {
    private final KvTimeMachineStore store;
    private final KeyValueStore kv;
    private final ProgressListener progress;
    private final List<Problem> problems = new ArrayList<>();
    private long blobs;
    private long entries;
    private long versions;

    private StoreVerifier(KvTimeMachineStore store, ProgressListener progress) {
        this.store = store;
        this.kv = store.keyValueStore();
        this.progress = progress;
    }

    static VerifyReport verify(KvTimeMachineStore store, ProgressListener progress) {
        StoreVerifier v = new StoreVerifier(store, progress);
        progress.step("verify");
        try {
            v.content();
            for (Keyspace ks : List.of(Keyspace.PATHS, Keyspace.META, Keyspace.JOURNAL, Keyspace.EVENTS)) {
                v.decodeAll(ks);
            }
            v.versions();
        } finally {
            progress.finished();
        }
        return new VerifyReport(v.blobs, v.entries, v.versions, v.problems);
    }

    private void problem(Keyspace ks, byte[] key, Kind kind, String detail) {
        problems.add(new Problem(Schema.describe(ks, key), kind, detail));
    }

    private void undecodable(CorruptDataException e) {
        String m = e.getMessage();
        problems.add(new Problem(e.key(), Kind.UNDECODABLE, m.startsWith(e.key() + ": ") ? m.substring(e.key().length() + 2) : m));
    }

    private void tick() {
        progress.progress(++entries, "entries");
    }

    private void decodeAll(Keyspace ks) {
        KeyspaceCodec codec = Schema.codec(ks);
        try (KvCursor c = kv.scan(ks, null, null)) {
            while (c.next()) {
                tick();
                try {
                    codec.check(c.key(), c.value());
                } catch (CorruptDataException e) {
                    undecodable(e);
                }
            }
        }
    }

    private void content() {
        try (KvCursor c = kv.scan(Keyspace.CONTENT, null, null)) {
            while (c.next()) {
                tick();
                blobs++;
                byte[] key = c.key();
                try {
                    ContentCodec.INSTANCE.check(key, c.value());
                    ContentCodec.Stored stored = ContentCodec.decode(key, c.value());
                    byte[] digest;
                    if (stored.extent() != null) {
                        digest = segmentDigest(key, stored.extent());
                    } else if (stored.delta() != null) {
                        digest = deltaDigest(key);
                    } else {
                        digest = stored.bytes() != null ? Hashing.sha256(stored.bytes()) : assembledDigest(key, stored);
                    }
                    if (digest != null && !Arrays.equals(digest, key)) {
                        problem(Keyspace.CONTENT, key, Kind.HASH_MISMATCH, "content does not match its hash");
                    }
                } catch (CorruptDataException e) {
                    undecodable(e);
                }
            }
        }
    }

    /** The SHA-256 of bytes in the payload log; null (and reported) if they are not all there. */
    private byte[] segmentDigest(byte[] key, ContentCodec.Extent extent) {
        try {
            return Hashing.sha256(store.kvContent().read(key, extent));
        } catch (CorruptDataException e) {
            String m = e.getMessage();
            problems.add(new Problem(e.key(), Kind.MISSING_CONTENT, m.startsWith(e.key() + ": ") ? m.substring(e.key().length() + 2) : m));
            return null;
        }
    }

    /**
     * Whether a delta rebuilds what its key names: its chain of bases is rebuilt and checked, each base against its
     * own hash. Null, reported, if it does not; the key itself if it does.
     */
    private byte[] deltaDigest(byte[] key) {
        try {
            store.kvContent().get(ContentHash.of(key));
            return key;
        } catch (ContentMissingException e) {
            problems.add(new Problem(Schema.describe(Keyspace.CONTENT, key), Kind.MISSING_CONTENT,
                    "content " + e.hash() + " it is rebuilt from is not in the content store"));
            return null;
        } catch (CorruptDataException e) {
            String m = e.getMessage();
            problems.add(new Problem(Schema.describe(Keyspace.CONTENT, key),
                    m.contains("not in the content store") ? Kind.MISSING_CONTENT : Kind.HASH_MISMATCH,
                    m.startsWith(e.key() + ": ") ? m.substring(e.key().length() + 2) : m));
            return null;
        }
    }

    /** The SHA-256 of chunked content, assembled from its chunks; null (and reported) if a chunk is unusable. */
    private byte[] assembledDigest(byte[] key, ContentCodec.Stored stored) {
        MessageDigest md = Hashing.newSha256();
        for (int i = 0; i < stored.parts().size(); i++) {
            ContentHash part = stored.parts().get(i);
            byte[] value = kv.get(Keyspace.CONTENT, part.toBytes());
            if (value == null) {
                problem(Keyspace.CONTENT, key, Kind.MISSING_CONTENT, "chunk " + part + " is not in the content store");
                return null;
            }
            ContentCodec.Stored chunk;
            try {
                chunk = ContentCodec.decode(part.toBytes(), value);
            } catch (CorruptDataException e) {
                problem(Keyspace.CONTENT, key, Kind.UNDECODABLE, "chunk " + part + " cannot be decoded");
                return null;
            }
            byte[] bytes = chunk.bytes();
            if (bytes == null && chunk.extent() != null) {
                try {
                    bytes = store.kvContent().read(part.toBytes(), chunk.extent());
                } catch (CorruptDataException e) {
                    problem(Keyspace.CONTENT, key, Kind.MISSING_CONTENT, "chunk " + part + ": " + e.getMessage());
                    return null;
                }
            }
            if (bytes == null || bytes.length != stored.lengths()[i]) {
                problem(Keyspace.CONTENT, key, Kind.HASH_MISMATCH,
                        "chunk " + part + " is not a plain chunk of " + stored.lengths()[i] + " bytes");
                return null;
            }
            md.update(bytes);
        }
        return md.digest();
    }

    private void versions() {
        Set<Integer> described = described();
        PathTable paths = new PathTable(kv);
        // one report per path and kind of problem: a path with a thousand versions and a missing id is one problem
        Set<String> reported = new HashSet<>();
        byte[] lastPrefix = null;
        try (KvCursor c = kv.scan(Keyspace.VERSIONS, null, null)) {
            while (c.next()) {
                tick();
                byte[] key = c.key();
                List<dev.timemachine.api.Version> held;
                try {
                    VersionCodec.INSTANCE.check(key, c.value());
                    held = VersionCodec.versions(new byte[0], key, c.value());
                } catch (CorruptDataException e) {
                    versions++;
                    undecodable(e);
                    continue;
                }
                versions += held.size();
                byte[] prefix = Arrays.copyOf(key, 12);
                if (!Arrays.equals(prefix, lastPrefix)) {
                    reported.clear();
                    lastPrefix = prefix;
                }
                int recording = Schema.recordingOf(key);
                if (!described.contains(recording)) {
                    if (reported.add("orphaned")) {
                        problem(Keyspace.VERSIONS, key, Kind.ORPHANED, "versions of recording " + recording + ", which has no description");
                    }
                    continue;
                }
                byte[] path;
                try {
                    path = paths.path(VersionCodec.pathId(key));
                } catch (CorruptDataException e) {
                    if (reported.add("path")) {
                        problem(Keyspace.VERSIONS, key, Kind.MISSING_PATH, e.getMessage());
                    }
                    continue;
                }
                for (dev.timemachine.api.Version v : held) {
                    VersionRecord rec = v.record();
                    if (rec.content() != null && !store.content().contains(rec.content())
                            && reported.add("content " + rec.content())) {
                        problem(Keyspace.VERSIONS, key, Kind.MISSING_CONTENT, "refers to content " + rec.content()
                                + ", which is not in the content store");
                    }
                    if (rec.kind() == VersionRecord.Kind.RENAME || rec.kind() == VersionRecord.Kind.LINK) {
                        checkSource(key, recording, path, rec);
                    }
                }
            }
        }
    }

    /** A rename or link source must exist just before the record: its latest version then is not a delete. */
    private void checkSource(byte[] key, int recording, byte[] path, VersionRecord rec) {
        long t = VersionCodec.time(key);
        long seq = VersionCodec.sequence(key);
        boolean[] exists = {false};
        store.versions(recording).walkBack(rec.target(), t, v -> {
            if (v.timeNs() == t && v.sequence() >= seq) {
                return true; // at or after the record itself
            }
            exists[0] = v.record().kind() != VersionRecord.Kind.DELETE;
            return false;
        });
        if (!exists[0]) {
            problem(Keyspace.VERSIONS, key, Kind.MISSING_SOURCE, PathBytes.display(path) + ": its "
                    + rec.kind().name().toLowerCase(java.util.Locale.ROOT) + " source " + PathBytes.display(rec.target())
                    + " did not exist just before it");
        }
    }

    /** The ids of every recording description, including those that do not decode (reported elsewhere). */
    private Set<Integer> described() {
        Set<Integer> ids = new HashSet<>();
        byte[][] range = MetaCodec.recordingRange();
        try (KvCursor c = kv.scan(Keyspace.META, range[0], range[1])) {
            while (c.next()) {
                if (c.key().length >= 5) {
                    ids.add(MetaCodec.recordingId(c.key()));
                }
            }
        }
        return ids;
    }
}
