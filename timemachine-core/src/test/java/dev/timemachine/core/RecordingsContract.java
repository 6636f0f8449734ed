package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.JournalPosition;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Recording descriptions under s:, and dropping a recording. */
public abstract class RecordingsContract extends EngineTestBase {

    private static RecordingInfo info(String cmd) {
        return new RecordingInfo(0, 123, 1_700_000_000_000_000_000L, 0, List.of(cmd, "arg with space"),
                List.of("/w"), "ebpf", -1, false, Map.of("events", 5L, "dropped", 0L));
    }

    @Test
    void createsUpdatesListsAndReopens() {
        KvTimeMachineStore store = open();
        RecordingInfo a = store.recordings().create(info("make"));
        RecordingInfo b = store.recordings().create(info("go"));
        assertEquals(1, a.id());
        assertEquals(2, b.id());
        RecordingInfo done = new RecordingInfo(b.id(), b.startMonoNs(), b.startWallNs(), 999, b.command(),
                b.roots(), b.capture(), 3, true, Map.of("events", 77L));
        store.recordings().update(done);
        store.close();
        KvTimeMachineStore again = open();
        assertEquals(List.of(a, done), again.recordings().list());
        assertEquals(Optional.of(done), again.recordings().get(2));
        assertEquals(3, again.recordings().create(info("next")).id());
    }

    @Test
    void droppingARecordingRemovesItsJournalAndVersionsButNotContent() {
        KvTimeMachineStore store = open();
        int keep = store.recordings().create(info("keep")).id();
        int drop = store.recordings().create(info("drop")).id();
        ContentHash h = store.content().put(bytes("shared"));
        for (int id : new int[] {keep, drop}) {
            store.journal(id).append(List.of(event(1, bytes("/f"), 3)));
            store.versions(id).putAll(List.of(new Version(bytes("/f"), 1, 1,
                    new VersionRecord(VersionRecord.Kind.KEYFRAME, 0, 6, h, 0644, null, 0))));
        }
        store.dropRecording(drop);
        assertEquals(List.of(keep), store.recordings().list().stream().map(RecordingInfo::id).toList());
        assertEquals(0, store.journal(drop).scan(JournalPosition.START, e -> true));
        assertEquals(Optional.empty(), store.versions(drop).latest(bytes("/f"), 10));
        assertEquals(1, store.journal(keep).scan(JournalPosition.START, e -> true));
        assertTrue(store.versions(keep).latest(bytes("/f"), 10).isPresent());
        assertTrue(store.content().contains(h));
    }

    @Test
    void aRecordingOfAnUnknownFormatIsNamedByKey() {
        KvTimeMachineStore store = open();
        int id = store.recordings().create(info("x")).id();
        try (KvBatch b = store.keyValueStore().batch()) {
            b.put(Keyspace.META, new byte[] {2, 0, 0, 0, (byte) id}, new byte[] {42});
            b.commit();
        }
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> store.recordings().get(id));
        assertEquals("s:0200000001", e.key());
    }
}
