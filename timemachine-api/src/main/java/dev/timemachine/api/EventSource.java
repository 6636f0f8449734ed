package dev.timemachine.api;

import java.time.Duration;

/**
 * Delivers the file-system changes of a tracked process tree.
 *
 * <p>Life cycle: {@link #start()} attaches the capture; {@link #track(int)} adds a process (its children are
 * followed from then on); {@link #poll} delivers what has arrived; {@link #close()} detaches and is
 * idempotent. Events arrive roughly in time order: events from different CPUs may be slightly out of order,
 * so consumers order them by timestamp behind a watermark.
 *
 * <p>Thread-safety: {@code poll} is called from one thread at a time; {@code track}, {@code wakeup}, counters
 * and {@code close} may be called from any thread.
 */
public interface EventSource extends AutoCloseable {

    /** The name this source is chosen by ({@code ebpf}, ...). */
    String name();

    /** Whether this source can run on this machine, as this user. */
    boolean isAvailable();

    /** Why {@link #isAvailable()} is false, in one human-readable paragraph; {@code null} when available. */
    String unavailabilityCause();

    /**
     * Attaches the capture.
     *
     * @throws TimeMachineException (often a {@link NativeException}) if the capture cannot be attached
     */
    void start();

    /** Tracks process {@code pid} and, from now on, every process it starts. */
    void track(int pid);

    /**
     * Delivers every event that has arrived, waiting up to {@code timeout} for the first one.
     *
     * @return the number of events delivered
     */
    int poll(EventSink sink, Duration timeout);

    /**
     * Makes the {@link #poll} under way return without waiting further, or the next one if none is (as
     * {@link java.nio.channels.Selector#wakeup()} does): a consumer told to stop does not sleep out its timeout
     * first. Safe from any thread. This default does nothing, and a poll then waits as long as it was told.
     */
    default void wakeup() {
    }

    /** Records the kernel could not hand over (ring buffer full), summed over all CPUs. */
    long droppedRecords();

    @Override
    void close();
}
