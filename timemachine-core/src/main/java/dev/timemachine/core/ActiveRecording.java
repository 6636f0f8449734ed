package dev.timemachine.core;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.RecordingInfo;

/**
 * A recording of processes that were running already ({@link TimeMachine#startRecording}): this JVM and every
 * process it starts from then on, until {@link #stop}. Thread-safe.
 */
public final class ActiveRecording implements AutoCloseable {
    private final Recorder.Active active;
    private final EventSource source;
    private final Ticker ticker;

    ActiveRecording(Recorder.Active active, EventSource source, Ticker ticker) {
        this.active = active;
        this.source = source;
        this.ticker = ticker;
    }

    /** The recording's description as it was when it started: its id and start instants. */
    public RecordingInfo info() {
        return active.info();
    }

    /** The monotonic instant now, on the clock the recorded events are stamped with ({@code @<ns>} for export). */
    public long now() {
        return ticker.read();
    }

    /**
     * Ends the recording: what was written until now is journaled, compacted and synced, and the recording is
     * stored with {@code exitCode} as its outcome (0 for a success, say). Once; later calls give the same result.
     */
    public RecordResult stop(int exitCode) throws InterruptedException {
        try {
            return active.finish(exitCode);
        } finally {
            source.close();
        }
    }

    /** Stops with exit code 0 if not stopped yet. */
    @Override
    public void close() {
        try {
            stop(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
