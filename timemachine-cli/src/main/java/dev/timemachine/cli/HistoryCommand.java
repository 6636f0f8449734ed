package dev.timemachine.cli;

import dev.timemachine.api.ApproximateReason;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.Version;
import dev.timemachine.api.VersionRecord;
import dev.timemachine.core.HistoryEntry;
import dev.timemachine.core.PathBytes;
import dev.timemachine.core.TimeMachine;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Every version of one path. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "List every version of PATH: when, what changed, the size after it, and whether it is approximate.")
final class HistoryCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Parameters(index = "0", paramLabel = "PATH", description = "The path (absolute, or relative to the current directory or a recorded root).")
    String path;

    @Option(names = "--json", description = "One JSON object per version.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (TimeMachine tm = store.open(spec)) {
            RecordingInfo rec = store.recording(tm);
            byte[] p = RecordedPaths.resolve(path, rec, tm.store().versions(rec.id()));
            List<HistoryEntry> versions = tm.history(rec, p);
            if (versions.isEmpty()) {
                // as cat of a path that was not there: a runtime answer, not a usage error
                throw new TimeMachineException(PathBytes.display(p) + " has no versions in recording " + rec.id());
            }
            for (HistoryEntry h : versions) {
                Version v = h.version();
                VersionRecord r = v.record();
                var after = h.after();
                boolean approximate = h.approximate();
                if (json) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("offset", Times.offset(v.timeNs(), rec));
                    o.put("timeNs", v.timeNs());
                    o.put("sequence", v.sequence());
                    o.put("kind", r.kind().name());
                    o.put("offsetBytes", r.offset());
                    o.put("length", r.length());
                    o.put("mode", String.format("%04o", r.mode() & 07777));
                    o.put("target", r.target() == null ? null : PathBytes.display(r.target()));
                    o.put("content", r.content() == null ? null : r.content().toString());
                    o.put("sizeAfter", after.map(s -> s.size()).orElse(null));
                    o.put("exists", after.isPresent());
                    o.put("approximate", approximate);
                    o.put("approximateReason", r.has(VersionRecord.FLAG_APPROXIMATE)
                            ? ApproximateReason.of(r.flags()).text() : null);
                    o.put("baseline", r.has(VersionRecord.FLAG_BASELINE));
                    o.put("writer", h.writer());
                    out.println(Json.write(o));
                } else {
                    out.printf("%-10s #%-6d %-9s %-34s size %-10s %s%s%s%n", Times.offset(v.timeNs(), rec), v.sequence(), r.kind(),
                            details(r), after.map(s -> String.valueOf(s.size())).orElse("-"),
                            r.has(VersionRecord.FLAG_BASELINE) ? "baseline " : "", approximate ? approximate(r) : "",
                            h.writer() == null ? "" : "by " + h.writer());
                }
            }
        }
        return ExitCode.OK;
    }

    /** What an approximate version says: why, if this version is where the file became so. */
    private static String approximate(VersionRecord r) {
        return r.has(VersionRecord.FLAG_APPROXIMATE)
                ? "APPROXIMATE (" + ApproximateReason.of(r.flags()).text() + ") " : "APPROXIMATE ";
    }

    private static String details(VersionRecord r) {
        String mode = String.format("mode %04o", r.mode() & 07777);
        return switch (r.kind()) {
            case EXTENT -> r.length() + " bytes at " + r.offset() + ", " + mode;
            case TRUNCATE -> "to " + r.length() + " bytes, " + mode;
            case KEYFRAME -> r.length() + " bytes, " + mode;
            case SYMLINK -> "-> " + PathBytes.display(r.target());
            case RENAME, LINK -> "from " + PathBytes.display(r.target()) + ", " + mode;
            case DELETE -> "";
            case DIRECTORY, MODE -> mode;
        };
    }
}
