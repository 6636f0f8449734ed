package dev.timemachine.cli;

import dev.timemachine.api.NotAStateDirException;
import dev.timemachine.api.UnknownNameException;
import dev.timemachine.api.spi.Keyspace;
import dev.timemachine.core.MigrationReport;
import dev.timemachine.core.TimeMachine;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Copies a whole state dir from one storage engine to another and verifies the copy. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Copy a state dir to another storage engine, then verify the copy (counts and content hashes).")
final class MigrateCommand implements Callable<Integer> {

    @Option(names = "--from", required = true, paramLabel = "ENGINE:DIR", description = "The existing state dir, e.g. lmdb:/tmp/state.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "ENGINE:DIR", description = "The new state dir (must not exist or be empty), e.g. rocks:/tmp/state2.")
    String to;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        StoreLocation src = StoreLocation.parse(from);
        StoreLocation dst = StoreLocation.parse(to);
        for (String engine : new String[] {src.engine(), dst.engine()}) {
            if (!TimeMachine.engines().contains(engine)) {
                throw new UnknownNameException("store", engine, TimeMachine.engines());
            }
        }
        if (TimeMachine.isStateDir(dst.dir()) || (Files.isDirectory(dst.dir()) && !isEmpty(dst))) {
            throw new UsageException("--to " + dst.dir() + " already holds data; give a new or empty directory");
        }
        try (TimeMachine source = TimeMachine.open(src.dir(), StoreOptions.options(spec).withReadOnly(true))) {
            if (!source.engine().equals(src.engine())) {
                throw new NotAStateDirException(src.dir(), "it uses engine '" + source.engine() + "', not '" + src.engine() + "'");
            }
            MigrationReport report = source.migrateTo(dst.dir(), dst.engine(),
                    TerminalProgress.of(spec.commandLine().getErr(), "migrate"));
            spec.commandLine().getOut().printf("migrated %d entries from %s:%s to %s:%s (%s); %d content blobs re-hashed, all match%n",
                    report.totalEntries(), src.engine(), src.dir(), dst.engine(), dst.dir(),
                    report.entries().entrySet().stream().map(e -> String.format("%,d %s", e.getValue(), what(e.getKey())))
                            .collect(Collectors.joining(", ")),
                    report.contentVerified());
        }
        return ExitCode.OK;
    }

    private static boolean isEmpty(StoreLocation dst) {
        try (var s = Files.list(dst.dir())) {
            return s.findAny().isEmpty();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** What a keyspace's entries are, for the summary line. */
    static String what(Keyspace keyspace) {
        return switch (keyspace) {
            case JOURNAL -> "journal entries";
            case CONTENT -> "content blobs";
            case VERSIONS -> "versions";
            case PATHS -> "paths";
            case META -> "recording and state entries";
            case EVENTS -> "event-log entries";
        };
    }
}
