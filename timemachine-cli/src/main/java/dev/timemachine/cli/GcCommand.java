package dev.timemachine.cli;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.core.GcResult;
import dev.timemachine.core.TimeMachine;
import dev.timemachine.core.TimeSpec;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Drops recordings and the content only they used, and packs small keyframes as deltas. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Drop the recordings named by --recording and/or older than --older-than, then every content blob"
                + " no remaining recording (or the baseline cache) refers to. Without either flag no recording is dropped,"
                + " only unreferenced content goes. Then small files' keyframes are packed as patches to the keyframe"
                + " before them, where that is much smaller.")
final class GcCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Option(names = "--older-than", paramLabel = "DURATION", description = "Drop recordings that started longer ago than this: 7d, 12h, 30m, ...")
    String olderThan;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Long ageNs = null;
        if (olderThan != null) {
            try {
                ageNs = TimeSpec.parseDuration(olderThan);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--older-than: " + e.getMessage());
            }
        }
        try (TimeMachine tm = store.openToWrite(spec)) {
            Set<Integer> drop = new TreeSet<>();
            if (store.recording != null) {
                drop.add(store.recording(tm).id());
            }
            if (ageNs != null) {
                drop.addAll(tm.recordingsOlderThan(Duration.ofNanos(ageNs)));
            }
            GcResult r = tm.gc(drop, TerminalProgress.of(spec.commandLine().getErr(), "gc"));
            List<RecordingInfo> left = tm.recordings();
            spec.commandLine().getOut().printf("dropped %d recordings%s; freed %d content blobs; packed %d keyframes as deltas;"
                            + " %s freed; %d blobs and %d recordings remain%n",
                    r.droppedRecordings().size(), r.droppedRecordings().isEmpty() ? "" : " (" + r.droppedRecordings().stream()
                            .map(String::valueOf).collect(Collectors.joining(", ")) + ")",
                    r.blobsFreed(), r.keyframesPacked(), Sizes.human(r.bytesFreed()), r.blobsKept(), left.size());
        }
        return ExitCode.OK;
    }
}
