package dev.timemachine.store.lmdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmdbConcurrencyTest {

    private static final int PER_BATCH = 100;

    @TempDir
    Path dir;

    @Test
    void readersOnOtherThreadsOnlyEverSeeWholeBatches() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (KeyValueStore store = new LmdbStorageEngine().open(dir, Map.of())) {
            AtomicBoolean writing = new AtomicBoolean(true);
            Future<?> writer = pool.submit(() -> {
                for (int b = 0; b < 200; b++) {
                    try (KvBatch batch = store.batch()) {
                        for (int i = 0; i < PER_BATCH; i++) {
                            batch.put(Keyspace.JOURNAL, LmdbEngineTest.be(b * PER_BATCH + i), new byte[128]);
                        }
                        batch.commit();
                    }
                }
                writing.set(false);
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                readers.add(pool.submit(() -> {
                    int scans = 0;
                    while (writing.get() || scans == 0) {
                        long expected = 0;
                        try (KvCursor cursor = store.scan(Keyspace.JOURNAL, null, null)) {
                            while (cursor.next()) {
                                assertArrayEquals(LmdbEngineTest.be(expected++), cursor.key());
                            }
                        }
                        assertEquals(0, expected % PER_BATCH, "a snapshot holds whole batches only");
                        scans++;
                    }
                    return scans;
                }));
            }
            writer.get(60, TimeUnit.SECONDS);
            for (Future<Integer> reader : readers) {
                assertTrue(reader.get(60, TimeUnit.SECONDS) > 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCursorMayMoveBetweenThreadsAndCloseInvalidatesItElsewhere() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            KeyValueStore store = new LmdbStorageEngine().open(dir, Map.of());
            try (KvBatch batch = store.batch()) {
                for (int i = 0; i < 10; i++) {
                    batch.put(Keyspace.JOURNAL, LmdbEngineTest.be(i), new byte[] {(byte) i});
                }
                batch.commit();
            }
            KvCursor cursor = store.scan(Keyspace.JOURNAL, null, null);
            assertTrue(cursor.next());
            // MDB_NOTLS: the read transaction is not tied to the thread that began it
            assertTrue(other.submit(cursor::next).get());
            assertArrayEquals(new byte[] {1}, other.submit(cursor::value).get());

            other.submit(store::close).get();
            assertThrows(IllegalStateException.class, cursor::next);
            cursor.close();
        } finally {
            other.shutdownNow();
        }
    }
}
