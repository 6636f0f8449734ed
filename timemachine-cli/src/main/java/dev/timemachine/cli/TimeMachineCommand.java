package dev.timemachine.cli;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The root command: global options and the list of subcommands ({@link Main#commandLine} adds them). */
@Command(name = "timemachine", mixinStandardHelpOptions = true, versionProvider = TimeMachineCommand.Version.class,
        description = "Records every file change a command makes and rebuilds the tree as it was at any instant.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:runtime failure", "2:usage error (bad flag or value, not a state dir)"})
final class TimeMachineCommand implements Runnable {
    /** The subcommands, in the order the help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(RecordCommand.class, ExportCommand.class, InfoCommand.class,
            LogCommand.class, HistoryCommand.class, CatCommand.class, DiffCommand.class, VerifyCommand.class,
            GcCommand.class, MigrateCommand.class, RepairCommand.class, ReportCommand.class);

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of failures.")
    boolean verbose;

    /** The wall clock; tests set a fixed one. */
    Clock clock = Clock.systemUTC();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = TimeMachineCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"timemachine " + p.getProperty("version", "unknown")};
        }
    }
}
