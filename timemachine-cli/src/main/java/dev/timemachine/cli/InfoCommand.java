package dev.timemachine.cli;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.KvTimeMachineStore;
import dev.timemachine.core.Stores;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Says what a state dir holds: its engine and its recordings. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the recordings of a state dir.")
final class InfoCommand implements Callable<Integer> {

    @Option(names = "--state-dir", defaultValue = ".timemachine", paramLabel = "DIR", description = "The state dir (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (KvTimeMachineStore store = Stores.open(stateDir, Map.of())) {
            out.printf("state dir %s (engine %s)%n", stateDir, store.engine());
            for (RecordingInfo r : store.recordings().list()) {
                out.printf("recording %d: started %s, %s, exit %s, capture %s: %s%n", r.id(),
                        Instant.ofEpochSecond(0, r.startWallNs()), r.complete() ? "complete" : "incomplete",
                        r.exitCode() < 0 ? "unknown" : String.valueOf(r.exitCode()), r.capture(),
                        String.join(" ", r.command()));
            }
        }
        return ExitCode.OK;
    }
}
