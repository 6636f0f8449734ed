package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.VersionRecord.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a recording straight through the api, as the compactor would: its description, content and
 * version records. Sequences grow by one per record unless given.
 */
public final class RecordingBuilder {
    public static final int FILE = 0100000;
    public static final int DIR = 0040000;
    public static final int LINK = 0120000;

    private final TimeMachineStore store;
    private final int id;
    private final List<Version> versions = new ArrayList<>();
    private long seq;

    private RecordingBuilder(TimeMachineStore store, int id) {
        this.store = store;
        this.id = id;
    }

    /** A new recording started at monotonic {@code startMono} and wall-clock {@code startWall}, ended at {@code endMono}. */
    public static RecordingBuilder create(TimeMachineStore store, long startMono, long startWall, long endMono, String... roots) {
        RecordingInfo info = store.recordings().create(new RecordingInfo(0, startMono, startWall, endMono,
                List.of("make", "test"), List.of(roots), "test", endMono == 0 ? -1 : 0, endMono != 0,
                Map.of("events", 0L)));
        return new RecordingBuilder(store, info.id());
    }

    public int id() {
        return id;
    }

    public static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public RecordingBuilder add(String path, long t, VersionRecord r) {
        return add(b(path), t, ++seq, r);
    }

    public RecordingBuilder add(byte[] path, long t, long sequence, VersionRecord r) {
        seq = Math.max(seq, sequence);
        versions.add(new Version(path, t, sequence, r));
        if (versions.size() >= 5_000) {
            flush();
        }
        return this;
    }

    public long lastSequence() {
        return seq;
    }

    public RecordingBuilder dir(String path, long t, int mode) {
        return add(path, t, new VersionRecord(Kind.DIRECTORY, 0, 0, null, DIR | mode, null, 0));
    }

    public RecordingBuilder file(String path, long t, int mode, byte[] content) {
        return file(path, t, mode, content, 0);
    }

    public RecordingBuilder file(String path, long t, int mode, byte[] content, int flags) {
        ContentHash h = content.length == 0 ? null : store.content().put(content);
        return add(path, t, new VersionRecord(Kind.KEYFRAME, 0, content.length, h, FILE | mode, null, flags));
    }

    public RecordingBuilder file(String path, long t, int mode, String content) {
        return file(path, t, mode, b(content));
    }

    public RecordingBuilder write(String path, long t, int mode, long offset, byte[] bytes) {
        return write(path, t, mode, offset, bytes, 0);
    }

    public RecordingBuilder write(String path, long t, int mode, long offset, byte[] bytes, int flags) {
        return add(path, t, new VersionRecord(Kind.EXTENT, offset, bytes.length, store.content().put(bytes), FILE | mode, null, flags));
    }

    public RecordingBuilder truncate(String path, long t, int mode, long length) {
        return add(path, t, new VersionRecord(Kind.TRUNCATE, 0, length, null, FILE | mode, null, 0));
    }

    public RecordingBuilder chmod(String path, long t, int mode) {
        return add(path, t, new VersionRecord(Kind.MODE, 0, 0, null, mode, null, 0));
    }

    public RecordingBuilder delete(String path, long t) {
        return add(path, t, new VersionRecord(Kind.DELETE, 0, 0, null, 0, null, 0));
    }

    public RecordingBuilder symlink(String path, long t, String target) {
        return add(path, t, new VersionRecord(Kind.SYMLINK, 0, 0, null, LINK | 0777, b(target), 0));
    }

    /** {@code to} renamed from {@code from}, and {@code from} deleted, at one (time, sequence). */
    public RecordingBuilder rename(String from, String to, long t, int mode) {
        long s = ++seq;
        add(b(to), t, s, new VersionRecord(Kind.RENAME, 0, 0, null, mode, b(from), 0));
        return add(b(from), t, s, new VersionRecord(Kind.DELETE, 0, 0, null, 0, null, 0));
    }

    public RecordingBuilder link(String from, String to, long t, int mode) {
        return add(to, t, new VersionRecord(Kind.LINK, 0, 0, null, mode, b(from), 0));
    }

    /** Stores the records added so far. */
    public RecordingBuilder flush() {
        store.versions(id).putAll(versions);
        versions.clear();
        return this;
    }
}
