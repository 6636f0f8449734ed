package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import dev.timemachine.api.TimeMachineStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Who made a change: the process, named by the command line of its last {@link Op#EXEC} in the recording. */
public final class Commands {
    private static final int WIDTH = 48;

    private Commands() {
    }

    /** An exec's arguments as a command line, cut to a length that fits a line of output. */
    public static String line(FsEvent exec) {
        byte[] argv = exec.path2() == null ? new byte[0] : exec.path2();
        int end = argv.length;
        while (end > 0 && argv[end - 1] == 0) {
            end--;
        }
        // each argument as log shows names (no newline can forge a line), separated by spaces
        StringBuilder b = new StringBuilder();
        for (int from = 0; from < end; ) {
            int to = from;
            while (to < end && argv[to] != 0) {
                to++;
            }
            b.append(b.length() == 0 ? "" : " ").append(PathBytes.escaped(Arrays.copyOfRange(argv, from, to)));
            from = to + 1;
        }
        String line = b.length() == 0 ? PathBytes.escaped(exec.path()) : b.toString();
        return line.length() > WIDTH ? line.substring(0, WIDTH - 1) + "…" : line;
    }

    /** {@code pid N (command)}, or {@code pid N} when the process was never seen to exec. */
    public static String writer(int pid, String command) {
        return "pid " + pid + (command == null ? "" : " (" + command + ")");
    }

    /** The approximate ones of {@code states} (path to state), each with the process whose change made it so. */
    static List<ExportSummary.Approximate> approximations(TimeMachineStore store, int recording, long toNs,
                                                          Map<byte[], Rebuilt> states) {
        Map<Long, String> writers = writers(store, recording, states.values().stream().filter(Rebuilt::approximate)
                .map(r -> r.approximateSequence).filter(s -> s > 0).collect(Collectors.toSet()), toNs);
        List<ExportSummary.Approximate> out = new ArrayList<>();
        states.forEach((path, r) -> {
            if (r.approximate()) {
                out.add(new ExportSummary.Approximate(PathBytes.display(path), r.approximateReason,
                        writers.get(r.approximateSequence)));
            }
        });
        return out;
    }

    /** The writer of the event at each of {@code sequences} of the recording, from its timeline up to {@code toNs}. */
    static Map<Long, String> writers(TimeMachineStore store, int recording, Set<Long> sequences, long toNs) {
        Map<Long, String> out = new HashMap<>();
        if (sequences.isEmpty()) {
            return out;
        }
        Map<Integer, String> commands = new HashMap<>();
        Timeline.scan(store, recording, Long.MIN_VALUE, toNs, e -> {
            FsEvent event = e.entry().event();
            if (event.op() == Op.EXEC) {
                commands.put(event.pid(), line(event));
            } else if (event.op() == Op.FORK && commands.containsKey(event.mode())) {
                commands.put(event.pid(), commands.get(event.mode()));
            } else if (sequences.contains(e.entry().sequence())) {
                out.put(e.entry().sequence(), writer(event.pid(), commands.get(event.pid())));
            }
            return out.size() < sequences.size();
        });
        return out;
    }
}
