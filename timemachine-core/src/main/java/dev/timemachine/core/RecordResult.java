package dev.timemachine.core;

import dev.timemachine.api.RecordingInfo;
import java.util.List;

/**
 * How a recording went ({@link TimeMachine#record}).
 *
 * @param exitCode    the command's exit code, 128+signal if a signal killed it
 * @param recording   the stored description of the recording, counters included
 * @param approximate paths whose versions are approximate
 * @param failure     what stopped recording early while the command ran on (a full disk), or null; what was
 *                    journaled before it is kept
 */
public record RecordResult(int exitCode, RecordingInfo recording, List<byte[]> approximate, Throwable failure) {
    public RecordResult {
        approximate = List.copyOf(approximate);
    }
}
