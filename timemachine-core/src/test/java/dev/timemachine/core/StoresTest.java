package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.NotAStateDirException;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.UnknownNameException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoresTest {
    @TempDir
    Path tmp;

    @Test
    void aNewStateDirIsPrivateAndMarked() throws Exception {
        Path dir = tmp.resolve("state");
        Stores.openOrCreate(dir, new MemoryEngine(), Map.of()).close();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertTrue(Stores.isStateDir(dir));
    }

    @Test
    void oneOpenAtATime() {
        Path dir = tmp.resolve("state");
        try (KvTimeMachineStore first = Stores.openOrCreate(dir, new MemoryEngine(), Map.of())) {
            TimeMachineException e = assertThrows(TimeMachineException.class,
                    () -> Stores.openOrCreate(dir, new MemoryEngine(), Map.of()));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
        }
        Stores.openOrCreate(dir, new MemoryEngine(), Map.of()).close();
    }

    @Test
    void refusesWhatIsNotAStateDir() throws Exception {
        Files.writeString(tmp.resolve("x"), "data");
        NotAStateDirException e = assertThrows(NotAStateDirException.class,
                () -> Stores.openOrCreate(tmp, new MemoryEngine(), Map.of()));
        assertTrue(e.getMessage().contains("non-empty directory"), e.getMessage());
        assertThrows(NotAStateDirException.class, () -> Stores.open(tmp.resolve("missing"), Map.of()));
        assertThrows(UnknownNameException.class, () -> Stores.openOrCreate(tmp.resolve("n"), "nope", Map.of()));
    }

    @Test
    void refusesAnotherEngineOrFormat() throws Exception {
        Path dir = tmp.resolve("state");
        Stores.openOrCreate(dir, new MemoryEngine(), Map.of()).close();
        NotAStateDirException e = assertThrows(NotAStateDirException.class, () -> Stores.open(dir, Map.of()));
        assertTrue(e.getMessage().contains("engine 'memory', which is not available"), e.getMessage());
        Files.writeString(dir.resolve(Stores.MARKER), "engine=memory\nformat=99\n");
        e = assertThrows(NotAStateDirException.class, () -> Stores.openOrCreate(dir, new MemoryEngine(), Map.of()));
        assertTrue(e.getMessage().contains("format 99 is not supported"), e.getMessage());
    }
}
