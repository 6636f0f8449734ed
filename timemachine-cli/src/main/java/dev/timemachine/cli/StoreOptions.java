package dev.timemachine.cli;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.KvTimeMachineStore;
import dev.timemachine.core.Stores;
import dev.timemachine.core.Recovery;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** The flags every command reading a state dir shares: which state dir, and which recording in it. */
final class StoreOptions {

    @Option(names = "--state-dir", defaultValue = ".timemachine", paramLabel = "DIR",
            description = "The state dir (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--recording", paramLabel = "ID", description = "Which recording (default: the latest).")
    Integer recording;

    /**
     * Opens the state dir and first finishes any recording whose recorder died, so nothing journaled is
     * ignored. If that cannot be written to the state dir (a full disk), it is done in memory for this
     * command, and {@code warnings} is told so.
     */
    KvTimeMachineStore open(PrintWriter warnings) {
        KvTimeMachineStore store = Stores.open(stateDir, Map.of());
        try {
            Recovery.finishInterrupted(store);
            return store;
        } catch (RuntimeException e) {
            KvTimeMachineStore view = store.withWritesInMemory();
            try {
                Recovery.finishInterrupted(view);
            } catch (RuntimeException again) {
                view.close();
                throw again;
            }
            warnings.println("timemachine: could not finish the interrupted recording in " + stateDir + " ("
                    + e.getMessage() + "); finished it in memory for this command");
            return view;
        }
    }

    /** Opens the state dir exactly as it is, for commands that inspect it (verify). */
    KvTimeMachineStore openAsIs() {
        return Stores.open(stateDir, Map.of());
    }

    /**
     * The recording {@code --recording} names, or the latest.
     *
     * @throws UsageException if there is no such recording, listing the ids that exist
     */
    RecordingInfo recording(KvTimeMachineStore store) {
        List<RecordingInfo> all = store.recordings().list();
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
