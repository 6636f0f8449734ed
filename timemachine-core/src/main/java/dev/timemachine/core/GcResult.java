package dev.timemachine.core;

import java.util.List;

/**
 * What {@link TimeMachine#gc} removed.
 *
 * @param droppedRecordings the recordings dropped
 * @param blobsFreed        content values deleted
 * @param bytesFreed        their stored size
 * @param blobsKept         content values still referred to
 * @param keyframesPacked   content values stored again as patches to similar content
 */
public record GcResult(List<Integer> droppedRecordings, long blobsFreed, long bytesFreed, long blobsKept,
                       long keyframesPacked) {
    public GcResult {
        droppedRecordings = List.copyOf(droppedRecordings);
    }
}
