package dev.timemachine.cli;

import dev.timemachine.core.Recorder;
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
                    Recorder.forward(p, name);
                }
            });
        }
    }
}
