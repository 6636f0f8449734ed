package dev.timemachine.cli;

import dev.timemachine.api.NotAStateDirException;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.UnknownNameException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** The {@code timemachine} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line and returns the exit code; never throws. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        RecordCommand.prestart(args);
        try {
            return execute(out, err, args);
        } finally {
            RecordCommand.discardEarly();
        }
    }

    private static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("timemachine: " + e.getMessage());
            err.println("Try 'timemachine " + subcommandName(e.getCommandLine()) + "--help' for more information.");
            return ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = commandLine.getCommandSpec().root().userObject() instanceof TimeMachineCommand t
                    && t.verbose;
            if (verbose) {
                e.printStackTrace(err);
            }
            err.println("timemachine: " + describe(e));
            return exitCodeOf(e);
        });
        return cli.execute(args);
    }

    /** The command tree, configured but not run: tests parse with it. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new TimeMachineCommand());
        // everything after the recorded command's name is its own: `record ls -la` must not parse -la
        cli.getSubcommands().get("record").setStopAtPositional(true);
        return cli;
    }

    static int exitCodeOf(Throwable e) {
        if (e instanceof UsageException || e instanceof UnknownNameException || e instanceof NotAStateDirException) {
            return ExitCode.USAGE;
        }
        return ExitCode.FAILURE;
    }

    private static String describe(Throwable e) {
        if (e instanceof TimeMachineException || e instanceof UsageException) {
            return e.getMessage();
        }
        String msg = e.getMessage();
        return "unexpected " + e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg)
                + " (run with --verbose for details)";
    }

    private static String subcommandName(CommandLine cl) {
        return cl.getParent() == null ? "" : cl.getCommandName() + " ";
    }
}
