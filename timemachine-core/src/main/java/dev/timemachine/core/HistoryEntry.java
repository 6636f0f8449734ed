package dev.timemachine.core;

import dev.timemachine.api.FileState;
import dev.timemachine.api.Version;
import java.util.Optional;

/**
 * One version of a path ({@link TimeMachine#history}) and what the path was right after it.
 *
 * @param version     the version record
 * @param after       the path's state right after it; empty if the path did not exist then
 * @param approximate whether the state after it is not known byte for byte
 * @param writer      who made it, {@code pid N (command)} ({@link Commands#writer}); null for what the baseline
 *                    found, or an event the timeline no longer holds
 */
public record HistoryEntry(Version version, Optional<FileState> after, boolean approximate, String writer) {
}
