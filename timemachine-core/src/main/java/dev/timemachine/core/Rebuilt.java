package dev.timemachine.core;

import dev.timemachine.api.FileState;
import dev.timemachine.api.Version;

/**
 * A path's state as the replayer rebuilt it: the public {@link FileState} plus what only the read side needs,
 * namely where the bytes come from, why the state is approximate, and what looked wrong on the way.
 */
final class Rebuilt {
    FileState.Type type;
    int mode;
    byte[] target;
    ContentLayout layout;
    /** Why the state is approximate, or {@code null} if it is exact. */
    String approximateReason;
    /** The journal sequence of the change that made it approximate, or 0 when none names one. */
    long approximateSequence;
    /** The LINK record that gave the path this name, when that is its own base (a hard link of another); or null. */
    Version linkedBy;
    /** Something a rebuild should never meet (a rename source that did not exist), or {@code null}. */
    String problem;

    boolean approximate() {
        return approximateReason != null;
    }

    /** Approximate from {@code version} on (null: from no particular change), for {@code reason}; the first one counts. */
    void markApproximate(String reason, Version version) {
        if (approximateReason == null) {
            approximateReason = reason;
            approximateSequence = version == null ? 0 : Math.max(0, version.sequence());
        }
    }

    long size() {
        return type == FileState.Type.REGULAR && layout != null ? layout.size() : 0;
    }

    FileState toFileState(byte[] path) {
        return new FileState(path, type, mode, size(), target, approximate());
    }
}
