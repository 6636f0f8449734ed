package dev.timemachine.core.replay;

import java.io.PrintStream;

/**
 * Progress of long work, shown on one self-overwriting line of stderr when a terminal is attached and not at
 * all otherwise (so logs of CI jobs and pipes stay clean). Not thread-safe.
 */
public final class Progress {
    private static final long INTERVAL_NS = 250_000_000L;

    private final String what;
    private final PrintStream out;
    private long last;
    private boolean shown;

    private Progress(String what, PrintStream out) {
        this.what = what;
        this.out = out;
    }

    /** Progress on stderr if a terminal is attached ({@code System.console() != null}), otherwise silent. */
    public static Progress onTerminal(String what) {
        return new Progress(what, System.console() != null ? System.err : null);
    }

    /** Progress that is never shown. */
    public static Progress silent() {
        return new Progress("", null);
    }

    /** Reports {@code done} units of work, at most a few times a second. */
    public void update(long done, String unit) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (shown && now - last < INTERVAL_NS) {
            return;
        }
        last = now;
        shown = true;
        out.print("\r" + what + ": " + done + " " + unit + "\u001b[K");
        out.flush();
    }

    /** Clears the progress line. */
    public void done() {
        if (out != null && shown) {
            out.print("\r\u001b[K");
            out.flush();
            shown = false;
        }
    }
}
