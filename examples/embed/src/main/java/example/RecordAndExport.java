package example;

import dev.timemachine.core.ExportSummary;
import dev.timemachine.core.RecordRequest;
import dev.timemachine.core.RecordResult;
import dev.timemachine.core.TimeMachine;
import dev.timemachine.core.TimeSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * What an embedder writes: record a command's file changes under a work tree, then rebuild the work tree as
 * it was at an instant of the run.
 *
 * <pre>java example.RecordAndExport STATE_DIR WORK_TREE TIME OUT -- COMMAND...</pre>
 */
public final class RecordAndExport {
    private RecordAndExport() {
    }

    /** Records {@code command} (run in this JVM's working directory) and exports {@code workTree} at {@code time}. */
    public static ExportSummary recordAndExport(Path stateDir, Path workTree, String time, Path out,
                                                List<String> command) throws InterruptedException {
        try (TimeMachine tm = TimeMachine.create(stateDir, TimeMachine.Options.defaults())) {
            RecordResult run = tm.record(RecordRequest.of(command).withRoots(List.of(workTree)));
            return tm.export(run.recording(), TimeSpec.parse(time).resolve(run.recording()), out);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 6 || !args[4].equals("--")) {
            System.err.println("usage: RecordAndExport STATE_DIR WORK_TREE TIME OUT -- COMMAND...");
            System.exit(2);
        }
        ExportSummary exported = recordAndExport(Path.of(args[0]), Path.of(args[1]), args[2], Path.of(args[3]),
                List.of(args).subList(5, args.length));
        System.out.println(exported.files() + " files, " + exported.bytes() + " bytes in " + args[3]);
    }
}
