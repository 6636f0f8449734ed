package dev.timemachine.cli;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.ExportSummary;
import dev.timemachine.core.TimeMachine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Writes one recording as a self-contained HTML page: its timeline, the tree at any instant, files' versions. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write a recording as one self-contained HTML file: a timeline of its changes and processes,",
                "the tree at any instant, each file's versions, and small text files' contents and diffs.",
                "The page opens from disk and makes no network request."})
final class ReportCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Option(names = "--out", defaultValue = "timemachine-report.html", paramLabel = "FILE",
            description = "Where to write the page (default: ${DEFAULT-VALUE}); an existing file is replaced.")
    Path out;

    @Option(names = "--markdown", paramLabel = "FILE",
            description = "Also append a Markdown summary to FILE (what a CI job summary shows: the command, its exit code"
                    + " and duration, counts, the most-changed paths, approximate files and drops).")
    Path markdown;

    /** At most this many approximate files are named in the summary. */
    private static final int APPROXIMATE_LISTED = 10;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        for (Path p : markdown == null ? List.of(out) : List.of(out, markdown)) {
            if (Files.isDirectory(p)) {
                throw new UsageException(p + " is a directory; name the file to write");
            }
            if (!Files.isDirectory(p.toAbsolutePath().getParent())) {
                throw new UsageException(p + ": " + p.toAbsolutePath().getParent() + " is not a directory");
            }
        }
        try (TimeMachine tm = store.open(spec)) {
            RecordingInfo rec = store.recording(tm);
            HtmlReport.Summary s = HtmlReport.write(tm, rec, out,
                    TerminalProgress.of(spec.commandLine().getErr(), "report"));
            if (markdown != null) {
                long end = rec.endMonoNs() == 0 ? Long.MAX_VALUE : rec.endMonoNs();
                Files.writeString(markdown, markdown(rec, s, tm.approximateAt(rec, end)), StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
            spec.commandLine().getOut().printf("wrote %s (%s): recording %d, %d events in %d marks%s, %d paths%s, %d text contents%n",
                    out, Sizes.human(s.bytes()), rec.id(), s.events(), s.marks(), s.bucketed() ? " (counted in time buckets)" : "",
                    s.files(), s.leftOutFiles() > 0 ? " (" + s.leftOutFiles() + " quieter ones left out)" : "", s.contents());
        }
        return ExitCode.OK;
    }

    /** The recording in a few lines of Markdown, for a CI job summary. */
    static String markdown(RecordingInfo r, HtmlReport.Summary s, List<ExportSummary.Approximate> approximate) {
        Map<String, Long> c = r.counters();
        StringBuilder md = new StringBuilder();
        md.append("### Time Machine: `").append(code(String.join(" ", r.command()))).append("`\n\n");
        md.append("| exit code | duration | events | bytes written | dropped records | approximate files |\n");
        md.append("|---|---|---|---|---|---|\n");
        md.append("| ").append(r.exitCode() < 0 ? "none" : r.exitCode()).append(" | ")
                .append(r.endMonoNs() == 0 ? "not finished" : String.format("%.3f s", (r.endMonoNs() - r.startMonoNs()) / 1e9))
                .append(" | ").append(c.getOrDefault("events", 0L)).append(" | ").append(Sizes.human(c.getOrDefault("bytes", 0L)))
                .append(" | ").append(c.getOrDefault("dropped", 0L)).append(" | ").append(approximate.size()).append(" |\n\n");
        if (!s.busiest().isEmpty()) {
            md.append("Most-changed paths:\n\n| path | events |\n|---|---|\n");
            for (Map.Entry<String, Integer> e : s.busiest()) {
                md.append("| `").append(code(e.getKey())).append("` | ").append(e.getValue()).append(" |\n");
            }
            md.append('\n');
        }
        if (!approximate.isEmpty()) {
            md.append("Approximate at the end (their exported bytes may differ from what was on disk):\n\n");
            for (ExportSummary.Approximate a : approximate.subList(0, Math.min(APPROXIMATE_LISTED, approximate.size()))) {
                md.append("- `").append(code(a.path())).append("`: ").append(a.describe()).append('\n');
            }
            if (approximate.size() > APPROXIMATE_LISTED) {
                md.append("- and ").append(approximate.size() - APPROXIMATE_LISTED).append(" more\n");
            }
            md.append('\n');
        }
        if (c.getOrDefault("dropped", 0L) > 0) {
            md.append("**").append(c.get("dropped")).append(" records were dropped**: files they touched are marked approximate.\n\n");
        }
        return md.toString();
    }

    /** Text for inside a Markdown code span in a table: no backtick or pipe breaks out of it. */
    private static String code(String s) {
        return s.replace('`', '\'').replace("|", "\\|").replace('\n', ' ');
    }
}
