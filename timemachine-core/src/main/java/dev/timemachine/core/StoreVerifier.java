package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvCursor;
import dev.timemachine.core.replay.KvReplayer;
import dev.timemachine.core.replay.Progress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a whole state dir: re-hashes every content blob, decodes every value of every keyspace, and checks
 * that every version of every path of every recording rebuilds (its content is stored, its rename or link
 * source existed). Each problem names its key as {@code prefix:hex}, like {@link CorruptDataException#key()},
 * and the check goes on past it, so one run finds them all.
 */
public final class StoreVerifier {
    /** One thing wrong, and the key it was found at. */
    public record Problem(String key, String message) {
        @Override
        public String toString() {
            return key + ": " + message;
        }
    }

    /** What was checked and what was wrong. */
    public record Report(long blobs, long entries, long versions, List<Problem> problems) {
        public Report {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final KvTimeMachineStore store;
    private final KeyValueStore kv;
    private final Progress progress;
    private final List<Problem> problems = new ArrayList<>();
    private long blobs;
    private long entries;
    private long versions;

    private StoreVerifier(KvTimeMachineStore store, Progress progress) {
        this.store = store;
        this.kv = store.keyValueStore();
        this.progress = progress;
    }

    /** Verifies everything, showing progress on a terminal. */
    public static Report verify(KvTimeMachineStore store) {
        return verify(store, Progress.onTerminal("verify"));
    }

    public static Report verify(KvTimeMachineStore store, Progress progress) {
        StoreVerifier v = new StoreVerifier(store, progress);
        try {
            v.content();
            v.paths();
            v.meta();
            v.events(Keyspace.JOURNAL);
            v.events(Keyspace.EVENTS);
            v.versions();
        } finally {
            progress.done();
        }
        return new Report(v.blobs, v.entries, v.versions, v.problems);
    }

    private void problem(Keyspace ks, byte[] key, String message) {
        problems.add(new Problem(Keys.describe(ks, key), message));
    }

    private void corrupt(TimeMachineException e, Keyspace ks, byte[] key) {
        if (e instanceof CorruptDataException c) {
            problems.add(new Problem(c.key(), stripKey(c)));
        } else {
            problem(ks, key, e.getMessage());
        }
    }

    private static String stripKey(CorruptDataException c) {
        String m = c.getMessage();
        return m.startsWith(c.key() + ": ") ? m.substring(c.key().length() + 2) : m;
    }

    private void tick() {
        progress.update(++entries, "entries");
    }

    private void content() {
        try (KvCursor c = kv.scan(Keyspace.CONTENT, null, null)) {
            while (c.next()) {
                tick();
                blobs++;
                byte[] key = c.key();
                try {
                    if (key.length != ContentHash.LENGTH) {
                        problem(Keyspace.CONTENT, key, "a content key has " + ContentHash.LENGTH + " bytes, not " + key.length);
                        continue;
                    }
                    Values.StoredContent stored = Values.content(key, c.value());
                    byte[] digest = stored.bytes() != null ? Hashing.sha256(stored.bytes()) : assembledDigest(key, stored);
                    if (digest != null && !Arrays.equals(digest, key)) {
                        problem(Keyspace.CONTENT, key, "content does not match its hash");
                    }
                } catch (TimeMachineException e) {
                    corrupt(e, Keyspace.CONTENT, key);
                }
            }
        }
    }

    /** The SHA-256 of chunked content, assembled from its chunks; null (and reported) if a chunk is unusable. */
    private byte[] assembledDigest(byte[] key, Values.StoredContent stored) {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < stored.parts().size(); i++) {
            ContentHash part = stored.parts().get(i);
            byte[] value = kv.get(Keyspace.CONTENT, part.toBytes());
            if (value == null) {
                problem(Keyspace.CONTENT, key, "chunk " + part + " is not in the content store");
                return null;
            }
            Values.StoredContent chunk;
            try {
                chunk = Values.content(part.toBytes(), value);
            } catch (TimeMachineException e) {
                problem(Keyspace.CONTENT, key, "chunk " + part + " cannot be decoded");
                return null;
            }
            if (chunk.bytes() == null || chunk.bytes().length != stored.lengths()[i]) {
                problem(Keyspace.CONTENT, key, "chunk " + part + " is not a plain chunk of " + stored.lengths()[i] + " bytes");
                return null;
            }
            md.update(chunk.bytes());
        }
        return md.digest();
    }

    private void paths() {
        try (KvCursor c = kv.scan(Keyspace.PATHS, null, null)) {
            while (c.next()) {
                tick();
                byte[] key = c.key();
                try {
                    if (key.length == 33 && key[0] == Keys.PATH_BY_HASH) {
                        byte[] path = Values.pathEntryPath(key, c.value());
                        if (!Arrays.equals(Hashing.sha256(path), Arrays.copyOfRange(key, 1, 33))) {
                            problem(Keyspace.PATHS, key, "the path stored does not match the hash in its key");
                        }
                    } else if (key.length == 9 && key[0] == Keys.PATH_BY_ID) {
                        Values.pathValue(key, c.value());
                    } else {
                        problem(Keyspace.PATHS, key, "not a key of the path table");
                    }
                } catch (TimeMachineException e) {
                    corrupt(e, Keyspace.PATHS, key);
                }
            }
        }
    }

    private void meta() {
        try (KvCursor c = kv.scan(Keyspace.META, null, null)) {
            while (c.next()) {
                tick();
                byte[] key = c.key();
                byte[] value = c.value();
                try {
                    switch (key.length == 0 ? -1 : key[0]) {
                        case Keys.META_SETTING -> {
                            if (value.length == 0 || value[0] != Values.SETTING_V1) {
                                problem(Keyspace.META, key, "unknown format version of a setting");
                            }
                        }
                        case Keys.META_RECORDING -> Values.recording(key, value);
                        case Keys.META_JOURNAL -> Values.journalState(key, value);
                        default -> {
                            // other sub-prefixes (the baseline cache) are checked by their owners before use
                        }
                    }
                } catch (TimeMachineException e) {
                    corrupt(e, Keyspace.META, key);
                }
            }
        }
    }

    private void events(Keyspace ks) {
        try (KvCursor c = kv.scan(ks, null, null)) {
            while (c.next()) {
                tick();
                byte[] key = c.key();
                try {
                    if (key.length != 20) {
                        problem(ks, key, "an event key has 20 bytes, not " + key.length);
                        continue;
                    }
                    Values.event(key, c.value(), Keys.journalTime(key));
                } catch (TimeMachineException e) {
                    corrupt(e, ks, key);
                }
            }
        }
    }

    private void versions() {
        PathTable paths = new PathTable(kv);
        Map<Integer, KvReplayer> replayers = new HashMap<>();
        Set<Integer> recordings = new HashSet<>();
        for (RecordingInfo r : safeList()) {
            recordings.add(r.id());
        }
        Set<String> reported = new HashSet<>();
        long lastPathId = Long.MIN_VALUE;
        int lastRecording = Integer.MIN_VALUE;
        try (KvCursor c = kv.scan(Keyspace.VERSIONS, null, null)) {
            while (c.next()) {
                tick();
                versions++;
                byte[] key = c.key();
                if (key.length != 28) {
                    problem(Keyspace.VERSIONS, key, "a version key has 28 bytes, not " + key.length);
                    continue;
                }
                int recording = java.nio.ByteBuffer.wrap(key).getInt();
                long pathId = Keys.versionPathId(key);
                if (recording != lastRecording || pathId != lastPathId) {
                    reported.clear();
                    lastRecording = recording;
                    lastPathId = pathId;
                }
                if (!recordings.contains(recording)) {
                    if (reported.add("no recording")) {
                        problem(Keyspace.VERSIONS, key, "versions of recording " + recording + ", which has no description");
                    }
                    continue;
                }
                try {
                    VersionRecord rec = Values.version(key, c.value());
                    byte[] path = paths.path(pathId);
                    if (rec.content() != null && !store.content().contains(rec.content())) {
                        reported.add("needs content " + rec.content());
                        problem(Keyspace.VERSIONS, key, "refers to content " + rec.content() + ", which is not in the content store");
                        continue;
                    }
                    KvReplayer replayer = replayers.computeIfAbsent(recording, id -> new KvReplayer(store, id));
                    for (String p : replayer.rebuildProblems(path, Keys.versionTime(key), Keys.versionSeq(key))) {
                        if (reported.add(p.startsWith("needs content ") ? p.substring(0, 14 + 64) : p)) {
                            problem(Keyspace.VERSIONS, key, "does not rebuild: " + p);
                        }
                    }
                } catch (TimeMachineException e) {
                    if (reported.add(e.getMessage())) {
                        corrupt(e, Keyspace.VERSIONS, key);
                    }
                }
            }
        }
    }

    private List<RecordingInfo> safeList() {
        List<RecordingInfo> out = new ArrayList<>();
        try (KvCursor c = kv.scan(Keyspace.META, new byte[] {Keys.META_RECORDING}, new byte[] {Keys.META_RECORDING + 1})) {
            while (c.next()) {
                try {
                    out.add(Values.recording(c.key(), c.value()));
                } catch (TimeMachineException e) {
                    // reported by meta(); its versions still count as belonging to a recording
                    out.add(new RecordingInfo(java.nio.ByteBuffer.wrap(c.key(), 1, 4).getInt(), 0, 0, 0, List.of(), List.of(), "", -1,
                            false, Map.of()));
                }
            }
        }
        return out;
    }
}
