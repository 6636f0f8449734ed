package dev.timemachine.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Runs the command line in-process and keeps what it printed. */
record CliRunner(int exitCode, String out, String err) {

    static CliRunner run(String... args) {
        return run(Clock.systemUTC(), args);
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
