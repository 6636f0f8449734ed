package dev.timemachine.junit;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.core.ActiveRecording;
import dev.timemachine.core.ExportSummary;
import dev.timemachine.core.RecordRequest;
import dev.timemachine.core.RecordResult;
import dev.timemachine.core.TimeMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * The extension behind {@link RecordFiles}, built on the {@link TimeMachine} facade alone: before each test it
 * opens a state dir under {@code target/timemachine/<class>/<method>/} and starts recording this JVM and the
 * processes it starts; after a test that passed it stops and deletes it; when a test fails it stops at the
 * failure, exports the tree as it was then, and adds to the failure message where both are and how to look at
 * other instants. The output directory is {@code target/timemachine} unless the system property
 * {@code timemachine.junit.dir} names another.
 */
public final class RecordFilesExtension implements BeforeEachCallback, TestExecutionExceptionHandler, AfterEachCallback {
    /** The system property naming the directory recordings of failed tests are kept in. */
    public static final String DIR_PROPERTY = "timemachine.junit.dir";
    private static final Namespace NAMESPACE = Namespace.create(RecordFilesExtension.class);
    private static final String KEY = "recording";

    /** What one test's recording holds while it runs. */
    private record Session(Path dir, TimeMachine timeMachine, ActiveRecording recording) {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        RecordFiles settings = settings(context);
        List<Path> roots = roots(context, settings);
        EventSource source;
        try {
            source = TimeMachine.eventSource(TimeMachine.AUTO_CAPTURE);
        } catch (TimeMachineException e) {
            throw new TestAbortedException("@RecordFiles: the file-change capture cannot run here: " + e.getMessage());
        }
        Path dir = outputDir(context);
        TimeMachine tm;
        try {
            deleteTree(dir);
            tm = TimeMachine.create(dir.resolve("state"), TimeMachine.Options.defaults());
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        try {
            ActiveRecording recording = tm.startRecording(RecordRequest.of("junit", context.getUniqueId())
                    .withRoots(roots).withExcludes(List.of(settings.excludes())).withSource(source));
            context.getStore(NAMESPACE).put(KEY, new Session(dir, tm, recording));
        } catch (RuntimeException e) {
            tm.close();
            throw e;
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        Session s = context.getStore(NAMESPACE).remove(KEY, Session.class);
        if (s == null || failure instanceof TestAbortedException) {
            throw failure;
        }
        long failedAt = s.recording().now();
        String where;
        try {
            where = keep(s, failedAt);
        } catch (RuntimeException | InterruptedException e) {
            failure.addSuppressed(e);
            throw failure;
        }
        AssertionError annotated = new AssertionError((failure.getMessage() == null ? failure.toString()
                : failure.getMessage()) + "\n" + where, failure);
        annotated.setStackTrace(failure.getStackTrace());
        throw annotated;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Session s = context.getStore(NAMESPACE).remove(KEY, Session.class);
        if (s == null) {
            return; // failed (and kept), or never started
        }
        boolean failed = context.getExecutionException().isPresent();
        try {
            s.recording().stop(failed ? 1 : 0);
        } finally {
            s.timeMachine().close();
        }
        if (!failed) {
            deleteTree(s.dir());
        }
    }

    /** Stops the recording at the failure, exports the tree then, and says where both are. */
    private static String keep(Session s, long failedAt) throws InterruptedException {
        RecordResult result;
        try {
            result = s.recording().stop(1);
            RecordingInfo info = result.recording();
            Path tree = s.dir().resolve("tree-at-failure");
            ExportSummary exported = s.timeMachine().export(info, failedAt, tree);
            Path state = s.dir().resolve("state").toAbsolutePath();
            return "[timemachine] the files as they were when the test failed: " + tree.toAbsolutePath() + " ("
                    + exported.files() + " files" + (exported.approximate().isEmpty() ? ""
                    : ", " + exported.approximate().size() + " approximate") + "); the recording: " + state
                    + "; any other instant: timemachine export --state-dir " + state + " --time @<ns> --out DIR"
                    + " (the failure was at @" + failedAt + ")";
        } finally {
            s.timeMachine().close();
        }
    }

    private static RecordFiles settings(ExtensionContext context) {
        Optional<RecordFiles> onMethod = context.getTestMethod()
                .flatMap(m -> AnnotationSupport.findAnnotation(m, RecordFiles.class));
        return onMethod.or(() -> context.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, RecordFiles.class)))
                .orElseThrow(() -> new IllegalStateException("RecordFilesExtension is used through @RecordFiles"));
    }

    /** The paths of the annotation, or else every {@code @TempDir} field of the test instance. */
    private static List<Path> roots(ExtensionContext context, RecordFiles settings) {
        List<Path> roots = new ArrayList<>();
        for (String p : settings.paths()) {
            roots.add(Path.of(p).toAbsolutePath());
        }
        if (roots.isEmpty()) {
            Object instance = context.getRequiredTestInstance();
            for (Class<?> c = instance.getClass(); c != null; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.isAnnotationPresent(TempDir.class) && Path.class.isAssignableFrom(f.getType())) {
                        try {
                            f.setAccessible(true);
                            roots.add((Path) f.get(instance));
                        } catch (IllegalAccessException e) {
                            throw new IllegalStateException("cannot read the @TempDir field " + f, e);
                        }
                    }
                }
            }
        }
        if (roots.isEmpty()) {
            throw new IllegalStateException("@RecordFiles on " + context.getDisplayName()
                    + ": name the directories to record (paths = ...) or give the test a @TempDir Path field");
        }
        return roots;
    }

    private static Path outputDir(ExtensionContext context) {
        Path base = Path.of(System.getProperty(DIR_PROPERTY, Path.of("target", "timemachine").toString()));
        String test = context.getRequiredTestClass().getName() + "/" + context.getRequiredTestMethod().getName();
        return base.resolve(test.replaceAll("[^A-Za-z0-9._/-]", "_")).toAbsolutePath();
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
