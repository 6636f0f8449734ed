package dev.timemachine.cli.fidelity;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Runs the {@code timemachine} command line in this JVM, as a user would type it, and keeps what it printed.
 * {@code Main.run} is package-private, so it is reached through reflection from these packages.
 */
public record Cli(int exitCode, String out, String err) {
    private static final Method RUN;

    static {
        try {
            RUN = Class.forName("dev.timemachine.cli.Main")
                    .getDeclaredMethod("run", PrintWriter.class, PrintWriter.class, String[].class);
            RUN.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try {
            int code = (int) RUN.invoke(null, new PrintWriter(out, true), new PrintWriter(err, true), args);
            return new Cli(code, out.toString(), err.toString());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw new AssertionError("Main.run threw instead of returning an exit code", e.getCause());
        }
    }

    /** Everything printed, for assertion messages. */
    public String printed() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
