package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import dev.timemachine.api.spi.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every contract test shares: the engine under test, a state dir in a temporary directory, and the
 * awkward paths the schema must survive. An engine module runs a contract by subclassing it and returning
 * its engine.
 */
public abstract class EngineTestBase {
    /** Paths the key schema must survive: a colon, a newline, bytes that are not UTF-8, and 600 bytes. */
    protected static final List<byte[]> AWKWARD_PATHS = List.of(
            bytes("/work/a:b:c"),
            bytes("/work/line\nbreak"),
            new byte[] {'/', 'w', (byte) 0xFF, (byte) 0xFE, (byte) 0x80, 'x'},
            bytes("/work/" + "d".repeat(300) + "/" + "f".repeat(294)),
            bytes("/"));

    @TempDir
    protected Path tmp;

    private final List<KvTimeMachineStore> opened = new ArrayList<>();

    /** The engine under test. */
    protected abstract StorageEngine engine();

    /** Opens (creating on first use) the state dir of this test. */
    protected KvTimeMachineStore open() {
        return open(tmp.resolve("state"));
    }

    protected KvTimeMachineStore open(Path dir) {
        KvTimeMachineStore s = Stores.openOrCreate(dir, engine(), Map.of());
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(KvTimeMachineStore::close);
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A write event whose payload is derived from its fields, so it can be checked after a reopen. */
    protected static FsEvent event(long timeNs, byte[] path, int size) {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) (timeNs * 31 + i);
        }
        return new FsEvent(timeNs, 100, 101, Op.WRITE, path, null, timeNs % 4096, size, 0644, payload,
                FsEvent.FLAG_APPEND);
    }
}
