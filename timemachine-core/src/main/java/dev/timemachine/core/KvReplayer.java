package dev.timemachine.core;

import dev.timemachine.api.ApproximateReason;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.FileState;
import dev.timemachine.api.Replayer;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionIndex;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.VersionRecord.Kind;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Rebuilds the tree of one recording from its version index, following the contract of {@link VersionRecord}
 * exactly.
 *
 * <p>Instants: a state "at T" includes every version with timestamp &lt;= T. The seq-precise methods take a
 * (time, sequence) bound and include the versions with (timestamp, sequence) &lt;= it, which is what the
 * compactor needs when it rebuilds a file in the middle of a run of events with equal timestamps.
 *
 * <p>Cost: rebuilding one path walks back to its last base record (a bounded number of versions, since the
 * compactor writes keyframes regularly) plus one seek per rename or link in its ancestry; rename chains are
 * followed in a loop, so their length is bounded by the heap, not the stack. {@link #forEachAt} costs one such
 * rebuild per path ever recorded, whatever the length of the history. Content is read only when bytes are
 * asked for.
 *
 * <p>Thread-safe: it holds no state besides the store.
 */
final class KvReplayer implements Replayer {
    static final String REASON_NO_BASE = "content before the first recorded change is unknown (no baseline)";

    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;

    private final TimeMachineStore store;
    private final int recordingId;
    private final VersionIndex index;

    KvReplayer(TimeMachineStore store, int recordingId) {
        this.store = store;
        this.recordingId = recordingId;
        this.index = store.versions(recordingId);
    }

    /** The recording this replayer rebuilds. */
    int recordingId() {
        return recordingId;
    }

    @Override
    public Optional<FileState> stateAt(byte[] path, long atNs) {
        return stateAt(path, atNs, Long.MAX_VALUE);
    }

    /** The state of {@code path} after every version with (timestamp, sequence) &lt;= ({@code timeNs}, {@code maxSequence}). */
    Optional<FileState> stateAt(byte[] path, long timeNs, long maxSequence) {
        Rebuilt r = rebuild(path, timeNs, maxSequence);
        return r == null ? Optional.empty() : Optional.of(r.toFileState(path));
    }

    @Override
    public void contentAt(byte[] path, long atNs, OutputStream out) throws IOException {
        regular(path, atNs, Long.MAX_VALUE).layout.writeTo(out, store.content());
    }

    /**
     * The bytes of the regular file {@code path} after every version with (timestamp, sequence) &lt;=
     * ({@code timeNs}, {@code maxSequence}), in memory.
     *
     * @throws TimeMachineException if no regular file was there then
     */
    byte[] contentAt(byte[] path, long timeNs, long maxSequence) {
        return regular(path, timeNs, maxSequence).layout.toBytes(store.content());
    }

    /**
     * Writes the bytes of the regular file {@code path} as of ({@code timeNs}, {@code maxSequence}) into an
     * empty channel with positional writes, leaving unwritten ranges as holes and setting the size last.
     * Content is fetched piece by piece, so large files are never held in memory whole.
     *
     * @return the state written
     * @throws TimeMachineException if no regular file was there then
     */
    FileState writeContent(byte[] path, long timeNs, long maxSequence, FileChannel channel) throws IOException {
        Rebuilt r = regular(path, timeNs, maxSequence);
        r.layout.writeTo(channel, store.content());
        return r.toFileState(path);
    }

    @Override
    public void forEachAt(long atNs, Consumer<FileState> visitor) {
        forEachRebuilt(atNs, (path, r) -> visitor.accept(r.toFileState(path)));
    }

    /**
     * What would stop the version of {@code path} at ({@code timeNs}, {@code sequence}) from rebuilding
     * exactly: a rename or link source that did not exist, content the store does not hold, a record that
     * cannot be decoded. Empty if it rebuilds.
     */
    List<String> rebuildProblems(byte[] path, long timeNs, long sequence) {
        List<String> problems = new ArrayList<>();
        try {
            Rebuilt r = rebuild(path, timeNs, sequence);
            if (r == null) {
                return problems;
            }
            if (r.problem != null) {
                problems.add(r.problem);
            }
            if (r.layout != null) {
                for (ContentLayout.Segment s : r.layout.segments()) {
                    if (s.hash() != null && !store.content().contains(s.hash())) {
                        problems.add("needs content " + s.hash() + " (from " + s.origin() + "), which is not in the content store");
                    }
                }
            }
        } catch (TimeMachineException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    /**
     * The state of {@code path} right after each of {@code versions} (all of its versions, oldest first), in one
     * pass: each version is applied to the state after the one before, as a rebuild would apply it, so the cost
     * is one step per version plus one lookup per rename or link, not one rebuild per version.
     */
    List<Optional<FileState>> statesAfterEach(byte[] path, List<Version> versions) {
        List<Optional<FileState>> out = new ArrayList<>(versions.size());
        Rebuilt cur = null;
        boolean deleted = false;
        for (Version v : versions) {
            Kind kind = v.record().kind();
            if (isBase(kind)) {
                if (kind == Kind.RENAME || kind == Kind.LINK) {
                    Step step = new Step(path, v, List.of());
                    // strictly before the record: the source as it was when it moved (as rebuild does)
                    Rebuilt source;
                    if (v.sequence() != Long.MIN_VALUE) {
                        source = rebuild(v.record().target(), v.timeNs(), v.sequence() - 1);
                    } else {
                        source = v.timeNs() == Long.MIN_VALUE ? null : rebuild(v.record().target(), v.timeNs() - 1, Long.MAX_VALUE);
                    }
                    cur = moved(step.base, source);
                } else {
                    cur = start(new Step(path, v, List.of()));
                }
                deleted = kind == Kind.DELETE;
            } else {
                if (cur == null) {
                    // a change with no state before it: after a delete, a file created empty; with no base at all, unknown
                    cur = start(new Step(path, deleted ? new Version(path, v.timeNs(), v.sequence(),
                            new VersionRecord(Kind.DELETE, 0, 0, null, 0, null, 0)) : null, List.of(v)));
                }
                applyChanges(cur, new Step(path, null, List.of(v)));
            }
            out.add(cur == null ? Optional.empty() : Optional.of(cur.toFileState(path)));
        }
        return out;
    }

    /** Visits every path existing at {@code atNs} with its rebuilt state, in unsigned byte order of the path. */
    void forEachRebuilt(long atNs, BiConsumer<byte[], Rebuilt> visitor) {
        List<byte[]> paths = new ArrayList<>();
        index.forEachPath(paths::add);
        // A parent is a prefix of its children, so byte order puts parents first.
        paths.sort(Arrays::compareUnsigned);
        for (byte[] path : paths) {
            Rebuilt r = rebuild(path, atNs, Long.MAX_VALUE);
            if (r != null) {
                visitor.accept(path, r);
            }
        }
    }

    private Rebuilt regular(byte[] path, long timeNs, long maxSequence) {
        Rebuilt r = rebuild(path, timeNs, maxSequence);
        if (r == null || r.type != FileState.Type.REGULAR) {
            throw new TimeMachineException(PathBytes.display(path) + " is "
                    + (r == null ? "absent" : "a " + r.type.name().toLowerCase(java.util.Locale.ROOT))
                    + " at " + timeNs + (maxSequence == Long.MAX_VALUE ? "" : "#" + maxSequence) + ", not a regular file");
        }
        return r;
    }

    /** The versions of one path that one rebuild step uses: its base record and the changes after it. */
    private record Step(byte[] path, Version base, List<Version> changesNewestFirst) {
    }

    /**
     * The state of {@code path} after every version with (time, seq) &lt;= the bound, or {@code null} if it
     * did not exist. Rename and link bases are followed with an explicit stack.
     */
    Rebuilt rebuild(byte[] path, long timeNs, long maxSequence) {
        Deque<Step> pending = new ArrayDeque<>();
        byte[] p = path;
        long t = timeNs;
        long s = maxSequence;
        Step step;
        while (true) {
            step = collect(p, t, s);
            Version base = step.base;
            if (base == null || (base.record().kind() != Kind.RENAME && base.record().kind() != Kind.LINK)) {
                break;
            }
            if (base.record().target() == null) {
                throw new CorruptDataException(origin(base), base.record().kind() + " record without a source path");
            }
            pending.push(step);
            p = base.record().target();
            // Strictly before the rename: the source as it was when the rename happened.
            if (base.sequence() == Long.MIN_VALUE) {
                if (base.timeNs() == Long.MIN_VALUE) {
                    t = Long.MIN_VALUE;
                    s = Long.MIN_VALUE;
                    break;
                }
                t = base.timeNs() - 1;
                s = Long.MAX_VALUE;
            } else {
                t = base.timeNs();
                s = base.sequence() - 1;
            }
        }
        Rebuilt r = start(step);
        applyChanges(r, step);
        Version own = pending.isEmpty() ? null : pending.peekLast().base;
        while (!pending.isEmpty()) {
            Step renamed = pending.pop();
            r = moved(renamed.base, r);
            applyChanges(r, renamed);
        }
        if (r != null && own != null && own.record().kind() == Kind.LINK) {
            r.linkedBy = own; // the path got this name as a hard link of another
        }
        return r;
    }

    private Step collect(byte[] path, long t, long s) {
        List<Version> changes = new ArrayList<>();
        Version[] base = new Version[1];
        index.walkBack(path, t, v -> {
            if (v.timeNs() == t && v.sequence() > s) {
                return true;
            }
            if (isBase(v.record().kind())) {
                base[0] = v;
                return false;
            }
            changes.add(v);
            return true;
        });
        return new Step(path, base[0], changes);
    }

    private static boolean isBase(Kind kind) {
        return switch (kind) {
            case KEYFRAME, DELETE, DIRECTORY, SYMLINK, RENAME, LINK -> true;
            case EXTENT, TRUNCATE, MODE -> false;
        };
    }

    /** The state a non-rename base (or no base at all) gives, before its change records. */
    private static Rebuilt start(Step step) {
        Version base = step.base;
        if (base == null || base.record().kind() == Kind.DELETE) {
            if (step.changesNewestFirst.isEmpty()) {
                return null;
            }
            Rebuilt r = new Rebuilt();
            VersionRecord first = step.changesNewestFirst.get(step.changesNewestFirst.size() - 1).record();
            r.type = base == null && (first.mode() & S_IFMT) == S_IFDIR ? FileState.Type.DIRECTORY : FileState.Type.REGULAR;
            r.layout = r.type == FileState.Type.REGULAR ? new ContentLayout() : null;
            if (base == null) {
                r.markApproximate(REASON_NO_BASE, null);
            }
            // After a delete, changes without a new base describe a file created empty: exact.
            return r;
        }
        VersionRecord rec = base.record();
        Rebuilt r = new Rebuilt();
        r.mode = rec.mode() & 07777;
        if (rec.has(VersionRecord.FLAG_APPROXIMATE)) {
            r.markApproximate(ApproximateReason.of(rec.flags()).text(), base);
        }
        switch (rec.kind()) {
            case KEYFRAME -> {
                r.type = FileState.Type.REGULAR;
                r.layout = new ContentLayout();
                if (rec.length() > 0 && rec.content() == null) {
                    throw new CorruptDataException(origin(base), "keyframe of " + rec.length() + " bytes without content");
                }
                r.layout.keyframe(rec.content(), rec.length(), origin(base));
            }
            case DIRECTORY -> r.type = FileState.Type.DIRECTORY;
            case SYMLINK -> {
                if (rec.target() == null) {
                    throw new CorruptDataException(origin(base), "symlink record without a target");
                }
                r.type = FileState.Type.SYMLINK;
                r.target = rec.target();
            }
            default -> throw new IllegalStateException("not a plain base: " + rec.kind());
        }
        return r;
    }

    /** The state a rename or link gives its path: the source's state just before it, with the record's mode. */
    private static Rebuilt moved(Version base, Rebuilt source) {
        VersionRecord rec = base.record();
        Rebuilt r = source;
        if (r == null) {
            r = new Rebuilt();
            r.type = (rec.mode() & S_IFMT) == S_IFDIR ? FileState.Type.DIRECTORY : FileState.Type.REGULAR;
            r.layout = r.type == FileState.Type.REGULAR ? new ContentLayout() : null;
            r.problem = rec.kind().name().toLowerCase(java.util.Locale.ROOT) + " source " + PathBytes.display(rec.target())
                    + " did not exist before " + origin(base);
            r.markApproximate("its " + rec.kind().name().toLowerCase(java.util.Locale.ROOT) + " source "
                    + PathBytes.display(rec.target()) + " is unknown", base);
        }
        // The contract writes the moved object's mode in the record; a record without any mode bits keeps the source's.
        if (rec.mode() != 0 || source == null) {
            r.mode = rec.mode() & 07777;
        }
        if (rec.has(VersionRecord.FLAG_APPROXIMATE)) {
            r.markApproximate(ApproximateReason.of(rec.flags()).text(), base);
        }
        return r;
    }

    private static void applyChanges(Rebuilt r, Step step) {
        if (r == null) {
            return;
        }
        List<Version> changes = step.changesNewestFirst;
        for (int i = changes.size() - 1; i >= 0; i--) {
            Version v = changes.get(i);
            VersionRecord rec = v.record();
            if (rec.has(VersionRecord.FLAG_APPROXIMATE)) {
                r.markApproximate(ApproximateReason.of(rec.flags()).text(), v);
            }
            r.mode = rec.mode() & 07777;
            if (rec.kind() == Kind.MODE) {
                continue;
            }
            if (r.type != FileState.Type.REGULAR) {
                // Bytes written to what the index says is not a regular file: the records disagree.
                r.markApproximate("written to while recorded as a " + r.type.name().toLowerCase(java.util.Locale.ROOT), v);
                r.type = FileState.Type.REGULAR;
                r.target = null;
                r.layout = new ContentLayout();
            }
            if (rec.kind() == Kind.EXTENT) {
                if (rec.length() > 0 && rec.content() == null && (rec.data() == null || rec.data().length != rec.length())) {
                    throw new CorruptDataException(origin(v), "extent of " + rec.length() + " bytes without content");
                }
                if (rec.offset() < 0 || rec.length() < 0) {
                    throw new CorruptDataException(origin(v), "extent at " + rec.offset() + " of " + rec.length() + " bytes");
                }
                if (rec.content() == null && rec.data() != null) {
                    r.layout.write(rec.offset(), rec.data(), origin(v));
                } else {
                    r.layout.write(rec.offset(), rec.length(), rec.content(), origin(v));
                }
            } else {
                if (rec.length() < 0) {
                    throw new CorruptDataException(origin(v), "truncate to " + rec.length() + " bytes");
                }
                r.layout.truncate(rec.length());
            }
        }
    }

    /** How errors name a version: the {@code m:} keyspace, the path and its instant. */
    static String origin(Version v) {
        return "m:" + PathBytes.display(v.path()) + "@" + v.timeNs() + "#" + v.sequence();
    }
}
