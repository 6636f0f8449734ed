package dev.timemachine.cli;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.timemachine.api.FileState;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.Replayer;
import dev.timemachine.core.PathBytes;
import dev.timemachine.core.TimeMachine;
import dev.timemachine.core.TreeChange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** What changed between two instants. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"List the paths that changed between --from and --to (A added, D deleted, M modified, T type changed),",
                "then a unified diff of each changed text file."})
final class DiffCommand implements Callable<Integer> {
    /** Text files larger than this are listed but not diffed line by line. */
    private static final long MAX_DIFF_BYTES = 4L << 20;

    @Mixin
    StoreOptions store;

    @Option(names = "--from", required = true, paramLabel = "T1", description = "The earlier instant (the forms of export --time).")
    String from;

    @Option(names = "--to", defaultValue = "latest", paramLabel = "T2", description = "The later instant (default: ${DEFAULT-VALUE}).")
    String to;

    @Option(names = "--name-only", description = "Only list the changed paths.")
    boolean nameOnly;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (TimeMachine tm = store.open(spec)) {
            RecordingInfo rec = store.recording(tm);
            long t1 = Times.resolve("--from", from, rec, spec.commandLine().getErr());
            long t2 = Times.resolve("--to", to, rec, spec.commandLine().getErr());
            if (t1 > t2) {
                throw new UsageException("--from " + from + " is later than --to " + to
                        + ": the changes from " + to + " to " + from + " are diff --from " + to + " --to " + from);
            }
            List<TreeChange> changes = tm.diff(rec, t1, t2);
            for (TreeChange c : changes) {
                out.printf("%s %s  (%s)%n", c.marker(), PathBytes.display(c.path()), c.detail());
            }
            if (!nameOnly) {
                Replayer replayer = tm.replayer(rec);
                for (TreeChange c : changes) {
                    unified(out, replayer, c, t1, t2);
                }
            }
        }
        return ExitCode.OK;
    }

    private static void unified(PrintWriter out, Replayer replayer, TreeChange c, long t1, long t2) {
        String a = text(replayer, c.before(), t1);
        String b = text(replayer, c.after(), t2);
        if (a == null || b == null || a.equals(b)) {
            return;
        }
        String name = PathBytes.display(c.path());
        List<String> la = a.isEmpty() ? List.of() : a.lines().toList();
        List<String> lb = b.isEmpty() ? List.of() : b.lines().toList();
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff(c.before() == null ? "/dev/null" : "a" + name,
                c.after() == null ? "/dev/null" : "b" + name, la, DiffUtils.diff(la, lb), 3);
        diff.forEach(out::println);
    }

    /** The file's text, "" if it did not exist as a file, or null if it is binary or too large to diff. */
    private static String text(Replayer replayer, FileState s, long t) {
        if (s == null || s.type() != FileState.Type.REGULAR) {
            return "";
        }
        if (s.size() > MAX_DIFF_BYTES) {
            return null;
        }
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        try {
            replayer.contentAt(s.path(), t, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return text(content.toByteArray());
    }

    /** The bytes as text, or null when they are not UTF-8 or hold a NUL (binary); the report uses it too. */
    static String text(byte[] bytes) {
        for (byte x : bytes) {
            if (x == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
