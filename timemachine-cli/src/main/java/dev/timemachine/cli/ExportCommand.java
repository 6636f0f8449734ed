package dev.timemachine.cli;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.ExportSummary;
import dev.timemachine.core.TimeMachine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Writes the recorded roots as they were at an instant. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write the recorded roots, as they were at --time, under --out.",
                "One root's contents go straight into --out; several roots each go to --out/<root path>."})
final class ExportCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Option(names = "--time", required = true, paramLabel = "T",
            description = "2m30s, 150.25s, 1500ms, 150250000ns (since the start), 2026-11-25T17:03:00.123Z, latest, or @<monotonic ns>.")
    String time;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the tree; must be empty unless --force.")
    Path out;

    @Option(names = "--force", description = "Write into a non-empty --out, replacing entries in the way (never following symlinks).")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UsageException("--out " + out + " exists and is not a directory");
        }
        if (!force && !isAbsentOrEmpty(out)) {
            throw new UsageException("--out " + out + " is not empty; use --force to write into it (entries in the way are replaced)");
        }
        try (TimeMachine tm = store.open(spec)) {
            RecordingInfo rec = store.recording(tm);
            long t = Times.resolve("--time", time, rec, spec.commandLine().getErr());
            ExportSummary s;
            try {
                s = tm.export(rec, t, out, force, TerminalProgress.of(spec.commandLine().getErr(), "export"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--out " + e.getMessage());
            }
            PrintWriter w = spec.commandLine().getOut();
            w.printf("exported recording %d at %s to %s: %d files, %d directories, %d symlinks, %s%n", rec.id(),
                    Times.offset(t, rec), where(), s.files(), s.directories(), s.symlinks(), Sizes.human(s.bytes()));
            if (!s.approximate().isEmpty()) {
                w.printf("%d approximate files (rebuilt from the best snapshot available, not byte for byte):%n", s.approximate().size());
                s.approximate().forEach(a -> w.printf("  %s: %s%n", a.path(), a.describe()));
            }
            rec.incompleteness().ifPresent(why -> spec.commandLine().getErr().println("timemachine: warning: " + why));
            if (!s.refused().isEmpty()) {
                PrintWriter err = spec.commandLine().getErr();
                err.printf("timemachine: export incomplete: %d recorded paths were not written:%n", s.refused().size());
                s.refused().forEach(r -> err.printf("  %s: %s%n", r.path(), r.reason()));
                return ExitCode.FAILURE;
            }
        }
        return ExitCode.OK;
    }

    private static boolean isAbsentOrEmpty(Path out) {
        if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(out)) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    /** Where the export went: {@code --out}, or the directory it resolves to through symlinks, saying so. */
    private String where() {
        try {
            Path real = out.toRealPath();
            return real.equals(out.toAbsolutePath().normalize()) ? out.toString()
                    : real + " (--out " + out + " resolves to it through a symlink; nothing was written outside it)";
        } catch (IOException e) {
            return out.toString();
        }
    }
}
