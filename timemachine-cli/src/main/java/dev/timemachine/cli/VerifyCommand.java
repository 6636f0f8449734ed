package dev.timemachine.cli;

import dev.timemachine.core.TimeMachine;
import dev.timemachine.core.VerifyReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Re-hashes and decodes everything in a state dir. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Re-hash every content blob, decode every stored value and check that every version rebuilds.",
                "Prints one line per problem, naming its key; exits 1 if there is any."})
final class VerifyCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // As it is: verify inspects the state dir without finishing interrupted recordings first.
        try (TimeMachine tm = store.openAsIs(spec)) {
            return report(tm.verify(TerminalProgress.of(spec.commandLine().getErr(), "verify")), spec);
        }
    }

    /** Prints a verify report, its problems one per line and what was checked, and returns the exit code. */
    static int report(VerifyReport r, CommandSpec spec) {
        PrintWriter out = spec.commandLine().getOut();
        r.problems().forEach(out::println);
        String summary = String.format("checked %d entries: %d content blobs re-hashed, %d versions checked", r.entries(),
                r.blobs(), r.versions());
        if (!r.ok()) {
            spec.commandLine().getErr().printf("timemachine: %d problems found (%s)%n", r.problems().size(), summary);
            return ExitCode.FAILURE;
        }
        out.println(summary + ": no problems");
        return ExitCode.OK;
    }
}
