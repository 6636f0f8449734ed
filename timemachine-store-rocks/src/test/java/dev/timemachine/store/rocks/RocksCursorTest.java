package dev.timemachine.store.rocks;

import static dev.timemachine.store.rocks.RocksStoreTesting.b;
import static dev.timemachine.store.rocks.RocksStoreTesting.drain;
import static dev.timemachine.store.rocks.RocksStoreTesting.keys;
import static dev.timemachine.store.rocks.RocksStoreTesting.open;
import static dev.timemachine.store.rocks.RocksStoreTesting.put;
import static dev.timemachine.store.rocks.RocksStoreTesting.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import dev.timemachine.api.spi.KvCursor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksCursorTest {

    @TempDir
    Path tmp;
    RocksKeyValueStore store;

    @BeforeEach
    void fill() {
        store = open(tmp);
        try (KvBatch batch = store.batch()) {
            for (String k : List.of("a", "b", "c", "d", "e")) {
                batch.put(Keyspace.JOURNAL, b(k), b("v" + k));
            }
            batch.commit();
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void boundsAreInclusiveFromAndExclusiveTo() {
        assertEquals(List.of("a", "b", "c", "d", "e"), keys(store, Keyspace.JOURNAL, null, null));
        assertEquals(List.of("b", "c"), keys(store, Keyspace.JOURNAL, "b", "d"));
        assertEquals(List.of("c", "d", "e"), keys(store, Keyspace.JOURNAL, "bb", null));
        assertEquals(List.of("a", "b"), keys(store, Keyspace.JOURNAL, null, "bb"));
        assertEquals(List.of(), keys(store, Keyspace.JOURNAL, "c", "c"));
        assertEquals(List.of(), keys(store, Keyspace.JOURNAL, "d", "b"));
        assertEquals(List.of(), keys(store, Keyspace.JOURNAL, "f", null));
    }

    @Test
    void seesTheStateWhenItWasCreated() {
        try (KvCursor cursor = store.scan(Keyspace.JOURNAL, b("b"), null)) {
            try (KvBatch batch = store.batch()) {
                batch.put(Keyspace.JOURNAL, b("bb"), b("new"));
                batch.put(Keyspace.JOURNAL, b("c"), b("changed"));
                batch.deleteRange(Keyspace.JOURNAL, b("d"), b("z"));
                batch.commit();
            }
            assertTrue(cursor.next());
            assertEquals("b", s(cursor.key()));
            assertTrue(cursor.next());
            assertEquals("c", s(cursor.key()));
            assertEquals("vc", s(cursor.value()));
            assertEquals(List.of("d", "e"), drain(cursor));
        }
        assertEquals(List.of("b", "bb", "c"), keys(store, Keyspace.JOURNAL, "b", null));
    }

    @Test
    void keyAndValueNeedACurrentEntry() {
        try (KvCursor cursor = store.scan(Keyspace.JOURNAL, b("e"), null)) {
            assertThrows(IllegalStateException.class, cursor::key);
            assertTrue(cursor.next());
            assertEquals("ve", s(cursor.value()));
            assertFalse(cursor.next());
            assertFalse(cursor.next());
            assertThrows(IllegalStateException.class, cursor::value);
        }
    }

    @Test
    void closingIsIdempotentAndForgetsTheCursor() {
        KvCursor cursor = store.scan(Keyspace.JOURNAL, null, null);
        assertEquals(1, store.openCursors());
        cursor.close();
        cursor.close();
        assertEquals(0, store.openCursors());
        assertThrows(IllegalStateException.class, cursor::next);
    }

    @Test
    void scansSkipADeletedFrontWithoutVisitingIt() {
        try (KvBatch batch = store.batch()) {
            batch.deleteRange(Keyspace.JOURNAL, b("a"), b("d"));
            batch.commit();
        }
        assertEquals(List.of("d", "e"), keys(store, Keyspace.JOURNAL, null, null));
        assertEquals(List.of("d"), keys(store, Keyspace.JOURNAL, "a", "e"));
    }

    /** Readers race with a writer and with close: they see either data or a clean IllegalStateException. */
    @Test
    void closeWaitsForReadersAndThenFailsThemCleanly() throws Exception {
        int readers = 3;
        CountDownLatch running = new CountDownLatch(readers);
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < readers; t++) {
            Thread thread = new Thread(() -> {
                running.countDown();
                try {
                    while (true) {
                        try (KvCursor cursor = store.scan(Keyspace.JOURNAL, null, null)) {
                            while (cursor.next()) {
                                cursor.key();
                            }
                        }
                        store.get(Keyspace.JOURNAL, b("c"));
                    }
                } catch (IllegalStateException expected) {
                    // the store was closed under us
                } catch (Throwable e) {
                    unexpected.set(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        running.await();
        for (int i = 0; i < 200; i++) {
            put(store, Keyspace.JOURNAL, "w" + i, "x");
        }
        store.close();
        for (Thread thread : threads) {
            thread.join(10_000);
            assertFalse(thread.isAlive());
        }
        assertEquals(null, unexpected.get());
        assertEquals(0, store.openCursors());
    }
}
