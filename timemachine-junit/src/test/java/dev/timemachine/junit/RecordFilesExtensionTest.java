package dev.timemachine.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.core.TimeMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs tests that use {@link RecordFiles} through the JUnit engine, as a build would, and looks at what they leave:
 * for a failure, the recording and the tree at the failure, named in the failure message; for a pass, nothing.
 * The recorded tests write through this JVM and through a child process. Needs the eBPF capture (root).
 */
class RecordFilesExtensionTest {

    /** The tests under test; nested, so the build does not run them on their own. */
    static final class Samples {
        @RecordFiles
        static class WritesThenFails {
            @TempDir
            Path work;

            @Test
            void failsAfterWritingTwoFiles() throws Exception {
                Files.writeString(work.resolve("before.txt"), "written by the test before it failed\n");
                Process child = new ProcessBuilder("sh", "-c", "echo written by a child > child.txt")
                        .directory(work.toFile()).start();
                assertEquals(0, child.waitFor());
                fail("the build broke");
            }
        }

        @RecordFiles
        static class Passes {
            @TempDir
            Path work;

            @Test
            void passes() throws Exception {
                Files.writeString(work.resolve("ok.txt"), "fine\n");
            }
        }
    }

    @TempDir
    Path out;

    @BeforeEach
    void captureCanRun() {
        String cause;
        try (EventSource s = TimeMachine.eventSource(TimeMachine.AUTO_CAPTURE)) {
            cause = null;
        } catch (TimeMachineException e) {
            cause = e.getMessage();
        }
        assumeTrue(cause == null, "needs the eBPF capture: " + cause);
        System.setProperty(RecordFilesExtension.DIR_PROPERTY, out.toString());
    }

    @AfterEach
    void forgetTheDirectory() {
        System.clearProperty(RecordFilesExtension.DIR_PROPERTY);
    }

    private static EngineExecutionResults run(Class<?> tests) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(tests)).execute();
    }

    @Test
    void aFailedTestKeepsItsRecordingAndTheTreeAtTheFailureAndSaysWhere() throws Exception {
        EngineExecutionResults results = run(Samples.WritesThenFails.class);
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Event failed = results.testEvents().failed().list().get(0);
        Throwable thrown = failed.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        String message = thrown.getMessage();
        assertTrue(message.startsWith("the build broke"), message);
        Path dir = out.resolve(Samples.WritesThenFails.class.getName().replace('$', '_')).resolve("failsAfterWritingTwoFiles");
        Path tree = dir.resolve("tree-at-failure");
        assertTrue(message.contains(tree.toString()), "the message says where the tree is: " + message);
        assertEquals("written by the test before it failed\n", Files.readString(tree.resolve("before.txt")));
        assertEquals("written by a child\n", Files.readString(tree.resolve("child.txt")));
        try (TimeMachine tm = TimeMachine.open(dir.resolve("state"))) {
            RecordingInfo info = tm.latest().orElseThrow();
            assertTrue(info.complete());
            assertEquals(1, info.exitCode(), "the recording says the test failed");
            assertEquals(List.of("junit", "[engine:junit-jupiter]/[class:" + Samples.WritesThenFails.class.getName()
                    + "]/[method:failsAfterWritingTwoFiles()]"), info.command());
        }
    }

    @Test
    void aPassingTestLeavesNothing() {
        run(Samples.Passes.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertFalse(Files.exists(out.resolve(Samples.Passes.class.getName().replace('$', '_')).resolve("passes")));
    }
}
