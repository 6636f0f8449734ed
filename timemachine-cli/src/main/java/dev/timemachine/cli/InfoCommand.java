package dev.timemachine.cli;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.ExportSummary;
import dev.timemachine.core.TimeMachine;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Says what a state dir holds: its engine, its size and its recordings. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the recordings of a state dir: what ran, when, how it was captured, what was lost, and sizes.")
final class InfoCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Option(names = "--json", description = "Machine-readable output: one JSON object.")
    boolean json;

    @Option(names = "--time", paramLabel = "T",
            description = "Also list the files approximate at T (the forms of export --time), why, and which process made them so.")
    String time;

    /** At most this many approximate files are listed per recording; the rest are counted. */
    private static final int LISTED = 20;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (TimeMachine tm = store.open(spec)) {
            long size = Sizes.ofTree(store.stateDir);
            List<RecordingInfo> recordings = store.recording == null ? tm.recordings() : List.of(store.recording(tm));
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("stateDir", store.stateDir.toAbsolutePath().toString());
                o.put("engine", tm.engine());
                o.put("sizeBytes", size);
                List<Object> list = new ArrayList<>();
                for (RecordingInfo r : recordings) {
                    Map<String, Object> d = describe(r);
                    if (time != null) {
                        long t = Times.resolve("--time", time, r);
                        List<Object> approximate = new ArrayList<>();
                        for (ExportSummary.Approximate a : tm.approximateAt(r, t)) {
                            Map<String, Object> e = new LinkedHashMap<>();
                            e.put("path", a.path());
                            e.put("reason", a.reason());
                            e.put("writer", a.writer());
                            approximate.add(e);
                        }
                        d.put("approximateAtNs", t);
                        d.put("approximate", approximate);
                    }
                    list.add(d);
                }
                o.put("recordings", list);
                out.println(Json.write(o));
                return ExitCode.OK;
            }
            out.printf("state dir %s (engine %s, %s on disk), %d recordings%n", store.stateDir, tm.engine(), Sizes.human(size),
                    tm.recordings().size());
            for (RecordingInfo r : recordings) {
                out.printf("recording %d: %s%n", r.id(), String.join(" ", r.command()));
                out.printf("  started   %s (monotonic %d ns)%n", Instant.ofEpochSecond(0, r.startWallNs()), r.startMonoNs());
                out.printf("  duration  %s%n", r.endMonoNs() == 0 ? "unknown (not closed)" : Times.seconds(r.endMonoNs() - r.startMonoNs()));
                out.printf("  roots     %s%n", String.join(", ", r.roots()));
                out.printf("  capture   %s%n", r.capture());
                out.printf("  exit code %s, %s%n", r.exitCode() < 0 ? "unknown" : String.valueOf(r.exitCode()),
                        !r.complete() ? "incomplete"
                                : r.counters().containsKey("recovered")
                                ? "recovered: ended when the recorder was killed; what it had journaled is kept"
                                : "complete");
                if (!r.counters().isEmpty()) {
                    out.printf("  recorded  %s%n", describe(r.counters()));
                }
                r.incompleteness().ifPresent(why -> out.printf("  warning   %s%n", why));
                if (time != null) {
                    long t = Times.resolve("--time", time, r);
                    List<ExportSummary.Approximate> approximate = tm.approximateAt(r, t);
                    out.printf("  approximate at %s: %s%n", Times.offset(t, r),
                            approximate.isEmpty() ? "none" : approximate.size() + " files");
                    approximate.stream().limit(LISTED).forEach(a -> out.printf("    %s: %s%n", a.path(), a.describe()));
                    if (approximate.size() > LISTED) {
                        out.printf("    and %d more%n", approximate.size() - LISTED);
                    }
                }
            }
        }
        return ExitCode.OK;
    }

    private static Map<String, Object> describe(RecordingInfo r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", r.id());
        o.put("command", r.command());
        o.put("startWall", Instant.ofEpochSecond(0, r.startWallNs()).toString());
        o.put("startWallNs", r.startWallNs());
        o.put("startMonoNs", r.startMonoNs());
        o.put("endMonoNs", r.endMonoNs() == 0 ? null : r.endMonoNs());
        o.put("durationNs", r.endMonoNs() == 0 ? null : r.endMonoNs() - r.startMonoNs());
        o.put("roots", r.roots());
        o.put("capture", r.capture());
        o.put("exitCode", r.exitCode() < 0 ? null : r.exitCode());
        o.put("complete", r.complete());
        o.put("counters", new TreeMap<>(r.counters()));
        return o;
    }

    /**
     * The counters as a reader wants them: what was recorded, what was lost or is approximate, how far compaction
     * lagged, what the baseline held; any this version does not know, by name. {@code --json} has them raw.
     */
    static String describe(Map<String, Long> counters) {
        Map<String, Long> rest = new TreeMap<>(counters);
        List<String> parts = new ArrayList<>();
        java.util.function.BiConsumer<String, java.util.function.LongFunction<String>> say = (key, text) -> {
            Long v = rest.remove(key);
            if (v != null) {
                parts.add(text.apply(v));
            }
        };
        say.accept("events", v -> String.format("%,d events", v));
        say.accept("bytes", v -> Sizes.human(v) + " written");
        say.accept("versions", v -> String.format("%,d versions", v));
        say.accept("dropped", v -> String.format("%,d capture records dropped", v));
        say.accept("approximate", v -> String.format("%,d approximate files", v));
        say.accept("late", v -> String.format("%,d events late", v));
        say.accept("unjournaled", v -> String.format("%,d events not journaled", v));
        say.accept("compactionLagNanos", v -> "compaction done " + Times.seconds(v) + " after the command");
        say.accept("baselineFiles", v -> String.format("baseline %,d files", v));
        say.accept("baselineBytes", v -> Sizes.human(v) + " in the baseline");
        say.accept("baselineCached", v -> String.format("%,d baseline files from the cache", v));
        say.accept("recovered", v -> "finished from its journal");
        say.accept(dev.timemachine.api.RecordingInfo.UNSEEN_PROGRAMS, v -> String.format("%,d 32-bit programs run", v));
        say.accept(dev.timemachine.api.RecordingInfo.SPECIAL_FILES, v -> String.format("%,d special files made", v));
        rest.forEach((k, v) -> parts.add(k + " " + v));
        return String.join(", ", parts);
    }
}
