package dev.timemachine.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Records every file change a test, and every process it starts, makes under {@link #paths()}; when the test
 * fails, the recording and the tree as it was at the failure are kept under {@code target/timemachine/<test>/}
 * and the failure message says where. A test that passes leaves nothing behind. The test is skipped, saying why,
 * where the capture cannot run (it needs root, or CAP_BPF and CAP_PERFMON, and a kernel with BTF).
 *
 * <pre>{@code
 * @RecordFiles
 * class BuildTest {
 *     @TempDir Path work;
 *
 *     @Test void buildsTheJar() throws Exception { ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RecordFilesExtension.class)
public @interface RecordFiles {
    /**
     * The directories to record, relative to the working directory or absolute. Default: the test's
     * {@code @TempDir} fields.
     */
    String[] paths() default {};

    /** Globs kept out of the recording, their bytes included: a name ({@code *.log}), or a path under a root. */
    String[] excludes() default {};
}
