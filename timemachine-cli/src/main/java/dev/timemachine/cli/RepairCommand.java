package dev.timemachine.cli;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.TimeMachine;
import dev.timemachine.store.rocks.RocksStorageEngine;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Opens a RocksDB state dir that a damaged write-ahead log keeps closed, keeping what precedes the damage. */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = "Open a RocksDB state dir whose write-ahead log is damaged (other commands refuse it and leave it"
                + " as it is), keeping everything the log holds before the damage and dropping what follows it, for"
                + " good; then verify it. Copy the state dir first if what follows may still be read otherwise.")
final class RepairCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        StoreOptions.warnAbout(store.stateDir, spec);
        PrintWriter out = spec.commandLine().getOut();
        try (TimeMachine tm = TimeMachine.open(store.stateDir, StoreOptions.options(spec)
                .withEngineSettings(Map.of(RocksStorageEngine.WAL_RECOVERY, RocksStorageEngine.SALVAGE)))) {
            out.printf("repaired %s: its write-ahead log was replayed up to its first damage, and what followed is"
                    + " dropped%n", store.stateDir);
            for (RecordingInfo r : tm.recordings()) {
                out.printf("  recording %d: %s, %s%n", r.id(), String.join(" ", r.command()),
                        r.counters().containsKey("recovered") ? "finished from what its journal kept" : "as it was");
            }
            return VerifyCommand.report(tm.verify(TerminalProgress.of(spec.commandLine().getErr(), "verify")), spec);
        }
    }
}
