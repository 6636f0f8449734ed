package dev.timemachine.store.lmdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.KeyValueStore;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.api.spi.KvBatch;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged {@code data.mdb}: LMDB maps the file, so one cut short would make a read past its end kill the JVM
 * (SIGBUS in mdb_page_search_root). The open checks the file against its newest meta page first and fails with
 * an error naming it; a whole file still opens.
 */
class LmdbDataFileDamageTest {
    @TempDir
    Path tmp;

    private Path store() {
        Path dir = tmp.resolve("store");
        try (KeyValueStore store = new LmdbStorageEngine().open(dir, Map.of())) {
            for (int i = 0; i < 2_000; i++) {
                try (KvBatch batch = store.batch()) {
                    batch.put(Keyspace.JOURNAL, String.format("k%06d", i).getBytes(StandardCharsets.UTF_8), new byte[500]);
                    batch.commit();
                }
            }
        }
        return dir;
    }

    @Test
    void aDataFileCutShortIsAnErrorNamingItNotACrash() throws Exception {
        Path dir = store();
        Path data = dir.resolve("data.mdb");
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(Files.size(data) / 2);
        }
        for (boolean readOnly : new boolean[] {false, true}) {
            CorruptDataException e = assertThrows(CorruptDataException.class, () -> {
                if (readOnly) {
                    new LmdbStorageEngine().openReadOnly(dir, Map.of());
                } else {
                    new LmdbStorageEngine().open(dir, Map.of());
                }
            });
            assertTrue(e.getMessage().contains("data.mdb") && e.getMessage().contains("cut short"), e.getMessage());
        }
    }

    @Test
    void aDataFileWithoutAMetaPageIsAnErrorNamingIt() throws Exception {
        Path dir = store();
        Path data = dir.resolve("data.mdb");
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(100);
        }
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> new LmdbStorageEngine().openReadOnly(dir, Map.of()));
        assertTrue(e.getMessage().contains("data.mdb"), e.getMessage());
    }

    @Test
    void aWholeDataFileOpens() {
        Path dir = store();
        try (KeyValueStore store = new LmdbStorageEngine().openReadOnly(dir, Map.of()).orElseThrow()) {
            assertArrayEquals(new byte[500], store.get(Keyspace.JOURNAL, "k001999".getBytes(StandardCharsets.UTF_8)));
        }
    }
}
