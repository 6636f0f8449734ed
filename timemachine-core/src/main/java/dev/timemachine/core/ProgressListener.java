package dev.timemachine.core;

/**
 * Hears about long work (a baseline, compaction after the command, verify, gc, migration, export). The library
 * itself prints nothing: a command-line tool turns these calls into terminal output, a test or an embedding
 * tool ignores them or logs them. Calls may come from several threads at once (a baseline hashes on every
 * core): implementations are thread-safe and quick.
 */
public interface ProgressListener {
    /** Hears nothing. */
    ProgressListener SILENT = new ProgressListener() {
    };

    /** A new step of the work began: "baseline of 2 roots", "running", "compacting what is left". */
    default void step(String description) {
    }

    /** So many {@code unit}s of the current step are done. Called often: show it at whatever rate suits. */
    default void progress(long done, String unit) {
    }

    /** The work is over; whatever was shown of its progress can go. */
    default void finished() {
    }

    /** Something the user should hear, such as an interrupted recording that could only be finished in memory. */
    default void warning(String message) {
    }
}
