package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.timemachine.api.spi.KeyValueStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Path ids: interned many at a time in one commit, the same ids as one at a time, and kept across a reopen. */
class PathTableTest {
    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One path interned on its own. */
    private static long intern(PathTable table, byte[] path) {
        return table.internAll(List.of(path))[0];
    }

    @Test
    void pathsInternedTogetherGetTheIdsOneAtATimeWouldInOneCommit() {
        List<byte[]> paths = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            paths.add(b("/r/.git/objects/" + (i % 50) + "/" + i));
            paths.add(b("/r/.git/objects/" + (i % 50) + "/" + (i / 2))); // some twice, some already earlier
        }
        FaultyEngine batched = new FaultyEngine(new MemoryEngine());
        KeyValueStore kv = batched.open(tmp.resolve("batched"), Map.of());
        PathTable table = new PathTable(kv);
        long known = intern(table, b("/r/.git/objects/0/0"));
        long before = batched.commits();
        long[] ids = table.internAll(paths);
        assertEquals(1, batched.commits() - before, "one commit for every new path");
        assertEquals(known, ids[0]);

        PathTable oneByOne = new PathTable(new MemoryEngine().open(tmp.resolve("one"), Map.of()));
        intern(oneByOne, b("/r/.git/objects/0/0"));
        for (int i = 0; i < paths.size(); i++) {
            assertEquals(intern(oneByOne, paths.get(i)), ids[i], "path " + i);
        }
        assertEquals(ids[ids.length - 1], intern(table, paths.get(paths.size() - 1)), "known now");

        kv.close();
        PathTable reopened = new PathTable(batched.open(tmp.resolve("batched"), Map.of()));
        for (int i = 0; i < paths.size(); i++) {
            assertEquals(ids[i], reopened.find(paths.get(i)));
            assertArrayEquals(paths.get(i), reopened.path(ids[i]));
        }
        long fresh = intern(reopened, b("/r/new"));
        assertEquals(1 + Arrays.stream(ids).max().orElseThrow(), fresh, "ids go on after the last one");
    }
}
