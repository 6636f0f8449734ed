package dev.timemachine.cli;

import dev.timemachine.api.NotAStateDirException;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.UnknownNameException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code timemachine} command. */
public final class Main {
    private static final String JNR_ASM = "jnr.ffi.asm.enabled";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line and returns the exit code; never throws. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(Clock.systemUTC(), out, err, args);
    }

    /** Runs the command line with this wall clock (what {@code gc --older-than} measures ages against). */
    static int run(Clock clock, PrintWriter out, PrintWriter err, String... args) {
        // jnr-ffi generates bytecode for each native interface by default, about 25 ms of record's start-up (its
        // BPF loading waits for it); the reflective binding it falls back to costs a few microseconds more per
        // call, and the capture makes few calls (loading, attaching, a wait per poll). An application setting.
        if (System.getProperty(JNR_ASM) == null) {
            System.setProperty(JNR_ASM, "false");
        }
        RecordCommand.prestart(args);
        try {
            return execute(clock, out, err, args);
        } finally {
            RecordCommand.discardEarly();
        }
    }

    private static int execute(Clock clock, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine(args);
        ((TimeMachineCommand) cli.getCommand()).clock = clock;
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

    /**
     * The command tree for these arguments, configured but not run. picocli builds a subcommand's model by
     * reflecting over its class, about 0.1 s for all of them in a fresh JVM, on the path of {@code record}'s
     * start-up: when the first argument names a subcommand, only that one is added; anything else (help,
     * version, an option first, a typo) gets them all.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new TimeMachineCommand());
        List<Class<?>> named = TimeMachineCommand.SUBCOMMANDS.stream()
                .filter(c -> args.length > 0 && c.getAnnotation(Command.class).name().equals(args[0]))
                .toList();
        for (Class<?> c : named.isEmpty() ? TimeMachineCommand.SUBCOMMANDS : named) {
            cli.addSubcommand(c);
        }
        // -V on a subcommand prints the version too (picocli gives each command its own provider, none by default)
        for (CommandLine sub : cli.getSubcommands().values()) {
            sub.getCommandSpec().versionProvider(cli.getCommandSpec().versionProvider());
        }
        CommandLine gc = cli.getSubcommands().get("gc");
        if (gc != null) {
            // the shared --recording means "the latest" elsewhere; gc drops only what it is told to
            CommandLine.Model.OptionSpec recording = gc.getCommandSpec().findOption("--recording");
            gc.getCommandSpec().remove(recording);
            gc.getCommandSpec().addOption(recording.toBuilder()
                    .description("Drop this recording (default: none; gc drops only what a flag names).").build());
        }
        CommandLine record = cli.getSubcommands().get("record");
        if (record != null) {
            // everything after the recorded command's name is its own: `record ls -la` must not parse -la
            record.setStopAtPositional(true);
        }
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
