package dev.timemachine.cli;

import dev.timemachine.core.ProgressListener;
import java.io.PrintWriter;

/**
 * Shows long work on a terminal: each step as a line, its progress on one self-overwriting line at most a few
 * times a second. Nothing of it is shown when stderr is not a terminal (CI logs and pipes stay clean); warnings
 * are always printed. Thread-safe.
 */
final class TerminalProgress implements ProgressListener {
    private static final long INTERVAL_NS = 250_000_000L;

    private final PrintWriter err;
    private final boolean terminal;
    private final String what;
    private long last;
    private boolean shown;

    private TerminalProgress(PrintWriter err, boolean terminal, String what) {
        this.err = err;
        this.terminal = terminal;
        this.what = what;
    }

    /** Progress of {@code what} on {@code err}, shown only if a terminal is attached. */
    static TerminalProgress of(PrintWriter err, String what) {
        return new TerminalProgress(err, System.console() != null, what);
    }

    @Override
    public synchronized void step(String description) {
        if (terminal) {
            clear();
            err.println("timemachine: " + description);
        }
    }

    @Override
    public synchronized void progress(long done, String unit) {
        long now = System.nanoTime();
        if (!terminal || (shown && now - last < INTERVAL_NS)) {
            return;
        }
        last = now;
        shown = true;
        err.print("\r" + what + ": " + done + " " + unit + "\u001b[K");
        err.flush();
    }

    @Override
    public synchronized void finished() {
        clear();
    }

    @Override
    public synchronized void warning(String message) {
        clear();
        err.println("timemachine: " + message);
    }

    private void clear() {
        if (shown) {
            err.print("\r\u001b[K");
            err.flush();
            shown = false;
        }
    }
}
