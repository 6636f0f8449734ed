package dev.timemachine.core;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.Recordings;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Recording descriptions under {@code s:}; ids come from a counter stored beside them. */
final class KvRecordings implements Recordings {
    private static final String NEXT_ID = "next-recording-id";

    private final KeyValueStore kv;

    KvRecordings(KeyValueStore kv) {
        this.kv = kv;
    }

    @Override
    public synchronized RecordingInfo create(RecordingInfo info) {
        byte[] counterKey = Keys.setting(NEXT_ID);
        byte[] counter = kv.get(Keyspace.META, counterKey);
        int id = counter == null ? 1 : (int) Values.longValue(Keyspace.META, counterKey, counter, Values.SETTING_V1);
        RecordingInfo stored = new RecordingInfo(id, info.startMonoNs(), info.startWallNs(), info.endMonoNs(),
                info.command(), info.roots(), info.capture(), info.exitCode(), info.complete(), info.counters());
        try (KvBatch batch = kv.batch()) {
            batch.put(Keyspace.META, Keys.recording(id), Values.recording(stored));
            batch.put(Keyspace.META, counterKey, Values.longValue(Values.SETTING_V1, id + 1L));
            batch.commit();
        }
        return stored;
    }

    @Override
    public synchronized void update(RecordingInfo info) {
        if (get(info.id()).isEmpty()) {
            throw new IllegalArgumentException("no recording " + info.id());
        }
        try (KvBatch batch = kv.batch()) {
            batch.put(Keyspace.META, Keys.recording(info.id()), Values.recording(info));
            batch.commit();
        }
    }

    @Override
    public Optional<RecordingInfo> get(int id) {
        byte[] key = Keys.recording(id);
        byte[] v = kv.get(Keyspace.META, key);
        return v == null ? Optional.empty() : Optional.of(Values.recording(key, v));
    }

    @Override
    public List<RecordingInfo> list() {
        List<RecordingInfo> out = new ArrayList<>();
        byte[] prefix = {Keys.META_RECORDING};
        try (KvCursor c = kv.scan(Keyspace.META, prefix, Keys.prefixEnd(prefix))) {
            while (c.next()) {
                out.add(Values.recording(c.key(), c.value()));
            }
        }
        return out;
    }

    @Override
    public synchronized void delete(int id) {
        try (KvBatch batch = kv.batch()) {
            batch.delete(Keyspace.META, Keys.recording(id));
            batch.commit();
        }
    }
}
