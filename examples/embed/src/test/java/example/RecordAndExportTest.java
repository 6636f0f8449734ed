package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.timemachine.api.TimeMachineException;
import dev.timemachine.core.TimeMachine;
import dev.timemachine.junit.RecordFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example, run: through the published artifacts alone, with the real capture. */
class RecordAndExportTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void captureRuns() {
        try {
            TimeMachine.eventSource(TimeMachine.AUTO_CAPTURE).close();
        } catch (TimeMachineException e) {
            // a skip, never silent: CI runs as root with BTF, where .ci/no-skipped-tests fails the build on it
            abort("the file-change capture cannot run here: " + e.getMessage());
        }
    }

    @Test
    void exportsTheWorkTreeAsItWasHalfASecondIn() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path out = dir.resolve("at-0.5s");
        RecordAndExport.recordAndExport(dir.resolve("state"), work, "0.5s", out, List.of("sh", "-c",
                "cd '" + work + "' && echo v1 > note.txt && sleep 1 && echo v2 > note.txt"));
        assertEquals("v1\n", Files.readString(out.resolve("note.txt")));
        assertEquals("v2\n", Files.readString(work.resolve("note.txt")));
    }

    /** The JUnit extension from a consumer's side: this test's writes are recorded, and dropped as it passes. */
    @Test
    @RecordFiles
    void aTestThatRecordsItsOwnFiles() throws Exception {
        Files.writeString(dir.resolve("out.txt"), "written by the test\n");
        assertEquals("written by the test\n", Files.readString(dir.resolve("out.txt")));
    }
}
