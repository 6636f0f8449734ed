package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.spi.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The victim of {@link CrashContract}: appends batches to the journal and the content store forever and
 * prints {@code ACK <last sequence>} after each batch is acknowledged, until it is killed (or its standard input
 * closes: the parent is gone).
 * Arguments: engine class name, state dir.
 */
public final class CrashWriter {
    static final int BATCH = 500;

    private CrashWriter() {
    }

    /** Every third event's payload is large enough for the payload log, the others stay in their entry. */
    static FsEvent eventFor(long seq) {
        return EngineTestBase.event(seq, ("/crash/" + (seq % 97)).getBytes(StandardCharsets.UTF_8), seq % 3 == 0 ? 4_096 : 128);
    }

    static byte[] contentFor(long batchNo) {
        byte[] b = new byte[8_192];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (batchNo * 7 + i / 3);
        }
        return b;
    }

    /** Halts this JVM once its standard input closes: the test that forked it is gone. */
    static void exitWhenParentGoes() {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent's end of the pipe is open
                }
            } catch (java.io.IOException ignored) {
                // gone
            }
            Runtime.getRuntime().halt(3);
        }, "exit-with-parent");
        t.setDaemon(true);
        t.start();
    }

    public static void main(String[] args) throws Exception {
        StorageEngine engine = (StorageEngine) Class.forName(args[0]).getDeclaredConstructor().newInstance();
        exitWhenParentGoes();
        try (KvTimeMachineStore store = Stores.openOrCreate(Path.of(args[1]), engine, Map.of())) {
            long seq = 0;
            while (true) {
                List<FsEvent> batch = new ArrayList<>(BATCH);
                for (int i = 0; i < BATCH; i++) {
                    batch.add(eventFor(++seq));
                }
                store.journal(1).append(batch);
                store.content().put(contentFor(seq / BATCH));
                System.out.println("ACK " + seq);
                System.out.flush();
            }
        }
    }
}
