package dev.timemachine.cli;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.TimeMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The flags every command reading a state dir shares: which state dir, and which recording in it. */
final class StoreOptions {

    @Option(names = "--state-dir", defaultValue = ".timemachine", paramLabel = "DIR",
            description = "The state dir (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--recording", paramLabel = "ID", description = "Which recording (default: the latest).")
    Integer recording;

    /**
     * Opens the state dir for reading, beside other readers (a long verify), finishing first any recording whose
     * recorder died (in memory, with a warning, if the state dir cannot be written).
     */
    TimeMachine open(CommandSpec spec) {
        warnAbout(stateDir, spec);
        return TimeMachine.open(stateDir, options(spec).withReadOnly(true));
    }

    /** Opens the state dir for writing, alone (gc). */
    TimeMachine openToWrite(CommandSpec spec) {
        warnAbout(stateDir, spec);
        return TimeMachine.open(stateDir, options(spec));
    }

    /** Opens the state dir for reading exactly as it is, for commands that inspect it (verify). */
    TimeMachine openAsIs(CommandSpec spec) {
        warnAbout(stateDir, spec);
        return TimeMachine.open(stateDir, options(spec).withReadOnly(true).withFinishInterrupted(false));
    }

    /**
     * What a user should know before a command uses {@code dir}: that it is a symlink (the recording lives where it
     * points), or that another user owns it (who can then change the recording), on stderr.
     */
    static void warnAbout(Path dir, CommandSpec spec) {
        java.io.PrintWriter err = spec.commandLine().getErr();
        try {
            if (Files.isSymbolicLink(dir) && Files.exists(dir)) {
                err.println("timemachine: warning: the state dir " + dir + " is a symlink: using " + dir.toRealPath());
            }
            if (Files.exists(dir)) {
                String owner = Files.getOwner(dir).getName();
                if (!owner.equals(System.getProperty("user.name"))) {
                    err.println("timemachine: warning: the state dir " + dir + " belongs to " + owner + ", not to "
                            + System.getProperty("user.name") + ": whoever owns it can change what it holds");
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // nothing to say: the open says what is wrong
        }
    }

    /** The options every command opens a state dir with: the command line's clock, warnings on stderr. */
    static TimeMachine.Options options(CommandSpec spec) {
        return TimeMachine.Options.defaults()
                .withClock(((TimeMachineCommand) spec.root().userObject()).clock)
                .withListener(TerminalProgress.of(spec.commandLine().getErr(), spec.name()));
    }

    /**
     * The recording {@code --recording} names, or the latest.
     *
     * @throws UsageException if there is no such recording, listing the ids that exist
     */
    RecordingInfo recording(TimeMachine tm) {
        List<RecordingInfo> all = tm.recordings();
        if (all.isEmpty()) {
            throw new UsageException(stateDir + " holds no recordings yet; make one with 'timemachine record -- CMD'");
        }
        if (recording == null) {
            return all.get(all.size() - 1);
        }
        return all.stream().filter(r -> r.id() == recording).findFirst().orElseThrow(() -> new UsageException(
                "--recording " + recording + " does not exist in " + stateDir + "; recordings: "
                        + all.stream().map(r -> String.valueOf(r.id())).collect(Collectors.joining(", "))));
    }
}
