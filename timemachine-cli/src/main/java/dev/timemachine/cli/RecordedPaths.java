package dev.timemachine.cli;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.VersionIndex;
import dev.timemachine.core.PathBytes;
import java.nio.file.Path;

/** Turns a PATH argument into the absolute path bytes a recording knows it by. */
final class RecordedPaths {
    private RecordedPaths() {
    }

    /**
     * An absolute path as given; a relative one against the current directory, or, if the recording has no
     * such path, against each recorded root in turn.
     */
    static byte[] resolve(String arg, RecordingInfo recording, VersionIndex index) {
        Path given = Path.of(arg);
        byte[] fromCwd = PathBytes.bytes(given.toAbsolutePath().normalize());
        if (given.isAbsolute()) {
            return PathBytes.bytes(given.normalize());
        }
        if (index.latest(fromCwd, Long.MAX_VALUE).isPresent()) {
            return fromCwd;
        }
        for (String root : recording.roots()) {
            byte[] candidate = PathBytes.bytes(Path.of(root).resolve(given).normalize());
            if (index.latest(candidate, Long.MAX_VALUE).isPresent()) {
                return candidate;
            }
        }
        return fromCwd;
    }
}
