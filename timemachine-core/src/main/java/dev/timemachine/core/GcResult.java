package dev.timemachine.core;

import java.util.List;

/**
 * What {@link TimeMachine#gc} removed.
 *
 * @param droppedRecordings the recordings dropped
 * @param blobsFreed        content values deleted
 * @param bytesFreed        their stored size
 * @param blobsKept         content values still referred to
 */
public record GcResult(List<Integer> droppedRecordings, long blobsFreed, long bytesFreed, long blobsKept) {
    public GcResult {
        droppedRecordings = List.copyOf(droppedRecordings);
    }
}
