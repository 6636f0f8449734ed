package dev.timemachine.core;

/**
 * A source of CLOCK_MONOTONIC nanoseconds, the clock every recorded event is stamped with. Injected wherever
 * the recorder measures or schedules, so that tests can drive time themselves.
 */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds on the monotonic clock; only differences between readings mean anything. */
    long read();

    /** {@link System#nanoTime()}, which on Linux reads CLOCK_MONOTONIC, the clock the capture stamps events with. */
    static Ticker system() {
        return System::nanoTime;
    }
}
