package dev.timemachine.core;

import dev.timemachine.api.ContentStore;
import dev.timemachine.api.EventLog;
import dev.timemachine.api.Journal;
import dev.timemachine.api.Recordings;
import dev.timemachine.api.TimeMachineStore;
import dev.timemachine.api.VersionIndex;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A state dir opened over one engine: the journal, content store, version index and recordings written once
 * over the engine's {@link KeyValueStore}. Obtained from {@link Stores}.
 */
final class KvTimeMachineStore implements TimeMachineStore {
    private final String engine;
    private final KeyValueStore kv;
    private final StateDirLock lock;
    private final PathTable paths;
    private final KvContentStore content;
    private final KvRecordings recordings;
    private final Segments segments;
    private final Map<Integer, KvJournal> journals = new ConcurrentHashMap<>();
    private volatile boolean closed;

    KvTimeMachineStore(String engine, KeyValueStore kv, StateDirLock lock, Segments segments) {
        this.engine = engine;
        this.lock = lock;
        this.kv = kv;
        this.segments = segments;
        this.paths = new PathTable(kv);
        this.content = new KvContentStore(kv, segments);
        this.recordings = new KvRecordings(kv);
    }

    @Override
    public String engine() {
        return engine;
    }

    @Override
    public ContentStore content() {
        ensureOpen();
        return content;
    }

    @Override
    public Recordings recordings() {
        ensureOpen();
        return recordings;
    }

    @Override
    public Journal journal(int recordingId) {
        ensureOpen();
        return kvJournal(recordingId);
    }

    /** The journal of a recording, with what only core uses of it. */
    KvJournal kvJournal(int recordingId) {
        ensureOpen();
        return journals.computeIfAbsent(recordingId, id -> new KvJournal(kv, content, id));
    }

    @Override
    public EventLog events(int recordingId) {
        ensureOpen();
        return new KvEventLog(kv, recordingId);
    }

    @Override
    public VersionIndex versions(int recordingId) {
        return kvVersions(recordingId);
    }

    /** The version index of a recording, with what only core uses of it. */
    KvVersionIndex kvVersions(int recordingId) {
        ensureOpen();
        return new KvVersionIndex(kv, paths, recordingId);
    }

    @Override
    public void dropRecording(int recordingId) {
        ensureOpen();
        byte[] prefix = Schema.recordingPrefix(recordingId);
        try (KvBatch batch = kv.batch()) {
            batch.deleteRange(Keyspace.JOURNAL, prefix, Schema.prefixEnd(prefix));
            batch.deleteRange(Keyspace.VERSIONS, prefix, Schema.prefixEnd(prefix));
            batch.deleteRange(Keyspace.EVENTS, prefix, Schema.prefixEnd(prefix));
            batch.delete(Keyspace.META, MetaCodec.journalStateKey(recordingId));
            batch.delete(Keyspace.META, MetaCodec.recordingKey(recordingId));
            batch.commit();
        }
        journals.remove(recordingId);
    }

    @Override
    public void sync() {
        ensureOpen();
        segments.sync();
        kv.sync();
    }

    /** The content store, with what only core uses of it. */
    KvContentStore kvContent() {
        ensureOpen();
        return content;
    }

    /** The payload log. */
    Segments segments() {
        ensureOpen();
        return segments;
    }

    /** The engine's key-value store underneath, for whole-store work such as migration and verification. */
    KeyValueStore keyValueStore() {
        ensureOpen();
        return kv;
    }

    /**
     * A view of this store whose writes stay in memory and are lost at close: for a command that must finish an
     * interrupted recording to read it but cannot write the state dir (a full disk). Use only the view from
     * then on; closing it closes this store.
     */
    KvTimeMachineStore withWritesInMemory() {
        ensureOpen();
        return new KvTimeMachineStore(engine, new OverlayKeyValueStore(kv), lock, segments);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Closeables.closeAll(segments, kv, lock);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }
}
