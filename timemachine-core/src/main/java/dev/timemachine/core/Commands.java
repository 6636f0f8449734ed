package dev.timemachine.core;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

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
        String line = PathBytes.display(Arrays.copyOf(argv, end)).replace('\0', ' ');
        if (line.isEmpty()) {
            line = PathBytes.display(exec.path());
        }
        return line.length() > WIDTH ? line.substring(0, WIDTH - 1) + "…" : line;
    }

    /** {@code pid N (command)}, or {@code pid N} when the process was never seen to exec. */
    public static String writer(int pid, String command) {
        return "pid " + pid + (command == null ? "" : " (" + command + ")");
    }

    /** The writer of the event at each of {@code sequences} of the recording, from its timeline up to {@code toNs}. */
    static Map<Long, String> writers(KvTimeMachineStore store, int recording, Set<Long> sequences, long toNs) {
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
