package dev.timemachine.cli;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;

/**
 * Forwards SIGINT and SIGTERM received by {@code record} to the recorded command, so the command decides how
 * to stop and the recording is still closed cleanly once it has.
 */
final class SignalForwarding {
    private SignalForwarding() {
    }

    static void install(AtomicReference<Process> child) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), sig -> {
                Process p = child.get();
                if (p != null && p.isAlive()) {
                    forward(p.pid(), name);
                }
            });
        }
    }

    /** Java sends only SIGTERM and SIGKILL itself: {@code kill} sends the rest. Best effort. */
    private static void forward(long pid, String name) {
        try {
            new ProcessBuilder("kill", "-s", name, Long.toString(pid)).inheritIO().start().waitFor();
        } catch (IOException e) {
            // the command may be gone already; nothing else to do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
