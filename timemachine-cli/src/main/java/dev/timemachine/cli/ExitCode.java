package dev.timemachine.cli;

/** The exit codes of docs/architecture.md §9. A recorded command's own exit code is passed through by {@code record}. */
final class ExitCode {
    /** Success. */
    static final int OK = 0;
    /** A runtime failure: the message says what went wrong. */
    static final int FAILURE = 1;
    /** A user mistake: bad flag, bad value, not a state dir, unknown engine. */
    static final int USAGE = 2;

    private ExitCode() {
    }
}
