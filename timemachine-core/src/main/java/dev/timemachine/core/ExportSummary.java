package dev.timemachine.core;

import java.util.List;

/**
 * What {@link TimeMachine#export} wrote.
 *
 * @param files       regular files written
 * @param directories directories written
 * @param symlinks    symlinks written
 * @param bytes       bytes of the regular files
 * @param approximate files rebuilt from the best snapshot available rather than byte for byte
 * @param refused     recorded paths that were not written, and why; an export with any is incomplete
 */
public record ExportSummary(long files, long directories, long symlinks, long bytes, List<Approximate> approximate,
                            List<Refused> refused) {

    public ExportSummary {
        approximate = List.copyOf(approximate);
        refused = List.copyOf(refused);
    }

    /**
     * A file whose bytes are not known exactly, and why.
     *
     * @param writer the process whose change made it approximate ({@link Commands#writer}), or null if none did
     */
    public record Approximate(String path, String reason, String writer) {
        /** The reason, and who, as a line of output says it. */
        public String describe() {
            return writer == null ? reason : reason + ", by " + writer;
        }
    }

    /** A recorded path that was not written, and why. */
    public record Refused(String path, String reason) {
    }
}
