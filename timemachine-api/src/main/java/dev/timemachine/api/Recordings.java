package dev.timemachine.api;

import java.util.List;
import java.util.Optional;

/** The recordings of one state dir, kept under {@code s:}. Thread-safe. */
public interface Recordings {

    /**
     * Registers a new recording with the next free id.
     *
     * @param info its description; its {@code id} is ignored
     * @return the stored description, with its id
     */
    RecordingInfo create(RecordingInfo info);

    /** Replaces the stored description of recording {@code info.id()}. */
    void update(RecordingInfo info);

    /** The recording with that id, if any. */
    Optional<RecordingInfo> get(int id);

    /** All recordings, oldest first. */
    List<RecordingInfo> list();

    /** Forgets the description of a recording (its journal and versions are deleted by the store). */
    void delete(int id);
}
