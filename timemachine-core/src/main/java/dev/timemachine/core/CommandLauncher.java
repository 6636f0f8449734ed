package dev.timemachine.core;

import dev.timemachine.api.TimeMachineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the recorded command stopped, so it can be tracked before it runs a single instruction of its own:
 * a shell stops itself with SIGSTOP, the recorder tracks its pid, then SIGCONT lets it {@code exec} the
 * command (docs/kernel.md: hold the command until its pid is tracked). Standard input, output and error are
 * the recorder's own. When the recorder runs as root under sudo, the command runs as the invoking user.
 */
final class CommandLauncher {
    private static final String GATE = "kill -STOP $$ && exec \"$@\"";
    /** Set by bin/timemachine when it gave the JVM a UTF-8 locale: the command's own LC_ALL, or "__unset__". */
    static final String CHILD_LC_ALL = "TIMEMACHINE_CHILD_LC_ALL";

    private CommandLauncher() {
    }

    /** The command line actually started: the gate, then a user switch if needed, then the command. */
    static List<String> argv(List<String> command, Map<String, String> env, long uid) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", GATE, "timemachine"));
        String sudoUid = env.get("SUDO_UID");
        String sudoGid = env.get("SUDO_GID");
        if (uid == 0 && sudoUid != null && sudoGid != null && !"0".equals(sudoUid)) {
            argv.addAll(List.of("setpriv", "--reuid=" + sudoUid, "--regid=" + sudoGid, "--init-groups", "--"));
        }
        argv.addAll(command);
        return argv;
    }

    /** Starts {@code command} and returns once it is stopped at the gate. */
    static Process startStopped(List<String> command) {
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(argv(command, System.getenv(), currentUid())).inheritIO();
            restoreLocale(pb.environment());
            p = pb.start();
        } catch (IOException e) {
            throw new TimeMachineException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new TimeMachineException("the command exited before it could be tracked (exit " + p.exitValue() + ")");
            }
            if (isStopped(stat)) {
                return p;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new TimeMachineException("interrupted while starting the command");
            }
        }
        p.destroyForcibly();
        throw new TimeMachineException("the command did not reach its start gate within 10 s");
    }

    static void restoreLocale(Map<String, String> env) {
        String own = env.remove(CHILD_LC_ALL);
        if ("__unset__".equals(own)) {
            env.remove("LC_ALL");
        } else if (own != null) {
            env.put("LC_ALL", own);
        }
    }

    /** Lets a process stopped at the gate go on. */
    static void resume(Process p) {
        signal(p.pid(), "CONT");
    }

    /** Sends signal {@code name} (INT, TERM, CONT...) to {@code pid}. */
    static void signal(long pid, String name) {
        try {
            new ProcessBuilder("kill", "-s", name, Long.toString(pid)).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new TimeMachineException("cannot send SIG" + name + " to " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isStopped(Path stat) {
        try {
            String s = Files.readString(stat);
            // the state follows the command name, which is in parentheses and may itself contain them
            int close = s.lastIndexOf(')');
            return close > 0 && close + 2 < s.length() && s.charAt(close + 2) == 'T';
        } catch (IOException e) {
            return false;
        }
    }

    static long currentUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }
}
