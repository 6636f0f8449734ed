package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLauncherTest {
    @Test
    void underSudoTheCommandRunsAsTheInvokingUser() {
        List<String> argv = CommandLauncher.argv(List.of("make", "test"), Map.of("SUDO_UID", "1000", "SUDO_GID", "1001"), 0);
        assertEquals(List.of("/bin/sh", "-c", "kill -STOP $$ && exec \"$@\"", "timemachine", "setpriv", "--reuid=1000",
                "--regid=1001", "--init-groups", "--", "make", "test"), argv);
    }

    @Test
    void withoutSudoOrAsAnotherUserTheCommandIsRunAsIs() {
        assertEquals(List.of("/bin/sh", "-c", "kill -STOP $$ && exec \"$@\"", "timemachine", "true"),
                CommandLauncher.argv(List.of("true"), Map.of(), 0));
        assertEquals(5, CommandLauncher.argv(List.of("true"), Map.of("SUDO_UID", "1000", "SUDO_GID", "1000"), 1000).size());
        assertEquals(5, CommandLauncher.argv(List.of("true"), Map.of("SUDO_UID", "0", "SUDO_GID", "0"), 0).size());
    }

    @Test
    void theCommandGetsBackTheLocaleTheWrapperReplaced() {
        Map<String, String> env = new HashMap<>(Map.of("LC_ALL", "C.UTF-8", CommandLauncher.CHILD_LC_ALL, "__unset__"));
        CommandLauncher.restoreLocale(env);
        assertEquals(Map.of(), env);
        env = new HashMap<>(Map.of("LC_ALL", "C.UTF-8", CommandLauncher.CHILD_LC_ALL, "POSIX"));
        CommandLauncher.restoreLocale(env);
        assertEquals(Map.of("LC_ALL", "POSIX"), env);
    }

    @Test
    void aStartedCommandWaitsAtTheGateUntilResumed() throws Exception {
        Process p = CommandLauncher.startStopped(List.of("sh", "-c", "exit 7"));
        Thread.sleep(100);
        assertEquals(true, p.isAlive(), "stopped at the gate");
        CommandLauncher.resume(p);
        assertEquals(7, p.waitFor());
    }
}
