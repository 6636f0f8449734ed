package dev.timemachine.cli;

import dev.timemachine.api.FileState;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.Replayer;
import dev.timemachine.core.PathBytes;
import dev.timemachine.core.TimeMachine;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes one file's bytes, as they were at an instant, to stdout. */
@Command(name = "cat", mixinStandardHelpOptions = true, description = "Write the bytes of PATH as they were at --time to stdout.")
final class CatCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Parameters(index = "0", paramLabel = "PATH", description = "The file (absolute, or relative to the current directory or a recorded root).")
    String path;

    @Option(names = "--time", defaultValue = "latest", paramLabel = "T", description = "When (default: ${DEFAULT-VALUE}); the forms of export --time.")
    String time;

    @Override
    public Integer call() throws IOException {
        try (TimeMachine tm = store.open(spec)) {
            RecordingInfo rec = store.recording(tm);
            long t = Times.resolve("--time", time, rec, spec.commandLine().getErr());
            byte[] p = RecordedPaths.resolve(path, rec, tm.store().versions(rec.id()));
            Replayer replayer = tm.replayer(rec);
            Optional<FileState> state = replayer.stateAt(p, t);
            if (state.isEmpty() || state.get().type() != FileState.Type.REGULAR) {
                throw new TimeMachineException(PathBytes.display(p) + (state.isEmpty() ? " did not exist" : " was a "
                        + state.get().type().name().toLowerCase(java.util.Locale.ROOT) + ", not a regular file,")
                        + " at " + Times.offset(t, rec) + " in recording " + rec.id());
            }
            // Raw bytes: System.out, not the character writer picocli prints text through.
            OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
            replayer.contentAt(p, t, out);
            out.flush();
            tm.approximateAt(rec, p, t).ifPresent(a -> spec.commandLine().getErr().printf(
                    "timemachine: %s is approximate at %s (rebuilt from the best snapshot available): %s%n",
                    a.path(), Times.offset(t, rec), a.describe()));
        }
        return ExitCode.OK;
    }
}
