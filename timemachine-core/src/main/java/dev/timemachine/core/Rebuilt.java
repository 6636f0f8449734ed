package dev.timemachine.core;

import dev.timemachine.api.FileState;

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
    /** Something a rebuild should never meet (a rename source that did not exist), or {@code null}. */
    String problem;

    boolean approximate() {
        return approximateReason != null;
    }

    void markApproximate(String reason) {
        if (approximateReason == null) {
            approximateReason = reason;
        }
    }

    long size() {
        return type == FileState.Type.REGULAR && layout != null ? layout.size() : 0;
    }

    FileState toFileState(byte[] path) {
        return new FileState(path, type, mode, size(), target, approximate());
    }
}
