package dev.timemachine.cli;

import dev.timemachine.api.Fallocate;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.Op;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.Commands;
import dev.timemachine.core.PathBytes;
import dev.timemachine.core.TimeMachine;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The timeline of events: compacted summaries, then journal entries not compacted yet. */
@Command(name = "log", mixinStandardHelpOptions = true,
        description = "Show the timeline of file events, oldest first; times are offsets since the start of the recording.")
final class LogCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Option(names = "--path", paramLabel = "GLOB|PREFIX",
            description = "Only events on paths under PREFIX, or matching GLOB (with * ? [ {; a relative glob matches at any depth).")
    String path;

    @Option(names = "--op", split = ",", paramLabel = "OP", description = "Only these operations (repeatable or comma-separated): write, create, rename, ...")
    List<String> ops;

    @Option(names = "--from", paramLabel = "T", description = "Only events at or after T (the forms of export --time).")
    String from;

    @Option(names = "--to", paramLabel = "T", description = "Only events at or before T.")
    String to;

    @Option(names = "--pid", paramLabel = "PID", description = "Only events of this process.")
    Integer pid;

    @Option(names = "--json", description = "One JSON object per event.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Set<Op> wanted = parseOps();
        Predicate<byte[]> pathFilter = pathFilter();
        try (TimeMachine tm = store.open(spec)) {
            RecordingInfo rec = store.recording(tm);
            long fromNs = from == null ? Long.MIN_VALUE : Times.resolve("--from", from, rec);
            long toNs = to == null ? Long.MAX_VALUE : Times.resolve("--to", to, rec);
            Predicate<FsEvent> show = e -> wanted.contains(e.op()) && (pid == null || e.pid() == pid)
                    && (pathFilter.test(e.path()) || (e.path2() != null && pathFilter.test(e.path2())));
            Map<Integer, String> commands = new HashMap<>();
            tm.timeline(rec, fromNs, toNs, e -> {
                FsEvent event = e.entry().event();
                if (event.op() == Op.EXEC) {
                    commands.put(event.pid(), Commands.line(event));
                } else if (event.op() == Op.FORK && commands.containsKey(event.mode())) {
                    commands.put(event.pid(), commands.get(event.mode())); // until it execs
                }
                if (show.test(event)) {
                    print(out, e.entry(), rec, e.compacted(), commands.get(event.pid()));
                }
                return true;
            });
        }
        return ExitCode.OK;
    }

    private Set<Op> parseOps() {
        if (ops == null || ops.isEmpty()) {
            return EnumSet.allOf(Op.class);
        }
        Set<Op> set = EnumSet.noneOf(Op.class);
        for (String name : ops) {
            try {
                set.add(Op.valueOf(name.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--op: unknown operation '" + name + "'; known: "
                        + Arrays.stream(Op.values()).map(o -> o.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
            }
        }
        return set;
    }

    private Predicate<byte[]> pathFilter() {
        if (path == null) {
            return p -> true;
        }
        if (path.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0)) {
            String glob = path.startsWith("/") ? path : "**/" + path;
            PathMatcher m;
            try {
                m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--path: bad glob '" + path + "': " + e.getMessage());
            }
            return p -> m.matches(Path.of(PathBytes.display(p).replace('\0', '?')));
        }
        byte[] prefix = PathBytes.bytes(Path.of(path).toAbsolutePath().normalize());
        return p -> p.length >= prefix.length && Arrays.equals(p, 0, prefix.length, prefix, 0, prefix.length)
                && (p.length == prefix.length || p[prefix.length] == '/' || (prefix.length == 1));
    }

    /** {@code command}: what the process ran, by its last exec seen in the recording, or null. */
    private void print(PrintWriter out, JournalEntry entry, RecordingInfo rec, boolean compacted, String command) {
        FsEvent e = entry.event();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("offset", Times.offset(e.timeNs(), rec));
            o.put("timeNs", e.timeNs());
            o.put("sequence", entry.sequence());
            o.put("pid", e.pid());
            o.put("tid", e.tid());
            o.put("op", e.op().name().toLowerCase(Locale.ROOT));
            o.put("path", PathBytes.display(e.path()));
            o.put("path2", e.path2() == null ? null : PathBytes.display(e.path2()));
            o.put("offsetBytes", e.offset());
            o.put("length", e.length());
            o.put("mode", String.format("%04o", e.mode() & 07777));
            o.put("flags", e.flags());
            o.put("approximate", e.has(FsEvent.FLAG_APPROXIMATE));
            o.put("compacted", compacted);
            o.put("command", command);
            out.println(Json.write(o));
            return;
        }
        String who = Commands.writer(e.pid(), e.op() == Op.EXEC ? null : command);
        out.printf("%-10s %-12s %-9s %s%s%n", Times.offset(e.timeNs(), rec), who, e.op().name().toLowerCase(Locale.ROOT),
                PathBytes.escaped(e.path()), details(e));
    }

    private static String details(FsEvent e) {
        String s = switch (e.op()) {
            case WRITE -> "  " + e.length() + " bytes at " + e.offset();
            case TRUNCATE -> "  to " + e.length() + " bytes";
            case FALLOCATE -> "  " + e.length() + " bytes at " + e.offset()
                    + (e.mode() == 0 ? "" : " (" + Fallocate.describe(e.mode()) + ")");
            case RENAME, EXCHANGE, LINK -> e.path2() == null ? "" : " -> " + PathBytes.escaped(e.path2());
            case COPY -> "  " + e.length() + " bytes at " + e.offset() + " from " + PathBytes.escaped(e.path2());
            case SYMLINK -> e.path2() == null ? "" : " -> " + PathBytes.escaped(e.path2());
            case CREATE, MKDIR, CHMOD -> String.format("  mode %04o", e.mode() & 07777);
            case LOST -> "  " + e.length() + " records lost";
            case EXEC -> "  " + Commands.line(e) + "  (parent pid " + e.mode() + ")";
            case FORK -> "  from pid " + e.mode();
            default -> "";
        };
        return s + (e.has(FsEvent.FLAG_APPROXIMATE) ? "  (approximate)" : "");
    }
}
