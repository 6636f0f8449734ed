package dev.timemachine.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Runs the command line in-process and keeps what it printed. Its wall clock is fixed, so whatever a test
 * records starts at the same instant every day.
 */
record CliRunner(int exitCode, String out, String err) {
    /** The wall clock's reading in every run that does not name one. */
    static final Instant NOW = Instant.parse("2026-11-26T09:00:00Z");

    static CliRunner run(String... args) {
        return runAt(NOW, args);
    }

    /** Runs it as if the wall clock read {@code now}. */
    static CliRunner runAt(Instant now, String... args) {
        return run(Clock.fixed(now, ZoneOffset.UTC), args);
    }

    private static CliRunner run(Clock clock, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(clock, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRunner(code, out.toString(), err.toString());
    }
}
