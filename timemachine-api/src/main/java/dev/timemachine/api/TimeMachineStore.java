package dev.timemachine.api;

/**
 * One opened state dir: the content store shared by all its recordings, plus the journal and version index
 * of each recording.
 *
 * <p>Thread-safe. {@link #close()} is idempotent; any use after it fails with {@link IllegalStateException}.
 */
public interface TimeMachineStore extends AutoCloseable {

    /** The name of the storage engine underneath ({@code rocks}, {@code lmdb}, ...). */
    String engine();

    /** The content store, shared by every recording of this state dir. */
    ContentStore content();

    /** The recordings of this state dir. */
    Recordings recordings();

    /** The journal of recording {@code recordingId}. */
    Journal journal(int recordingId);

    /** The event summaries of recording {@code recordingId}, for {@code log}. */
    EventLog events(int recordingId);

    /** The version index of recording {@code recordingId}. */
    VersionIndex versions(int recordingId);

    /** Deletes the journal, event summaries and versions of a recording and its description; content is left for gc. */
    void dropRecording(int recordingId);

    /** Makes everything written so far durable against power loss. */
    void sync();

    @Override
    void close();
}
