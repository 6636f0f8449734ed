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
    private final KeyValueStore kv;

    KvRecordings(KeyValueStore kv) {
        this.kv = kv;
    }

    @Override
    public synchronized RecordingInfo create(RecordingInfo info) {
        byte[] counterKey = MetaCodec.settingKey(MetaCodec.NEXT_RECORDING_ID);
        byte[] counter = kv.get(Keyspace.META, counterKey);
        int id = counter == null ? 1 : (int) MetaCodec.setting(counterKey, counter);
        RecordingInfo stored = new RecordingInfo(id, info.startMonoNs(), info.startWallNs(), info.endMonoNs(),
                info.command(), info.roots(), info.capture(), info.exitCode(), info.complete(), info.counters());
        try (KvBatch batch = kv.batch()) {
            batch.put(Keyspace.META, MetaCodec.recordingKey(id), MetaCodec.recordingValue(stored));
            batch.put(Keyspace.META, counterKey, MetaCodec.settingValue(id + 1L));
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
            batch.put(Keyspace.META, MetaCodec.recordingKey(info.id()), MetaCodec.recordingValue(info));
            batch.commit();
        }
    }

    @Override
    public Optional<RecordingInfo> get(int id) {
        byte[] key = MetaCodec.recordingKey(id);
        byte[] v = kv.get(Keyspace.META, key);
        return v == null ? Optional.empty() : Optional.of(MetaCodec.recording(key, v));
    }

    @Override
    public List<RecordingInfo> list() {
        List<RecordingInfo> out = new ArrayList<>();
        byte[][] range = MetaCodec.recordingRange();
        try (KvCursor c = kv.scan(Keyspace.META, range[0], range[1])) {
            while (c.next()) {
                out.add(MetaCodec.recording(c.key(), c.value()));
            }
        }
        return out;
    }

    @Override
    public synchronized void delete(int id) {
        try (KvBatch batch = kv.batch()) {
            batch.delete(Keyspace.META, MetaCodec.recordingKey(id));
            batch.commit();
        }
    }
}
