package dev.timemachine.api;

import java.util.ArrayList;
import java.util.List;

/** fallocate(2)'s mode bits (linux/falloc.h), as {@link Op#FALLOCATE} events carry them. */
public final class Fallocate {
    public static final int KEEP_SIZE = 0x01;
    public static final int PUNCH_HOLE = 0x02;
    public static final int NO_HIDE_STALE = 0x04;
    public static final int COLLAPSE_RANGE = 0x08;
    public static final int ZERO_RANGE = 0x10;
    public static final int INSERT_RANGE = 0x20;
    public static final int UNSHARE_RANGE = 0x40;
    /** Every bit above; NO_HIDE_STALE and UNSHARE_RANGE do not change the bytes. */
    public static final int KNOWN = 0x7f;

    private static final String[] NAMES = {"keep-size", "punch-hole", "no-hide-stale", "collapse-range",
        "zero-range", "insert-range", "unshare-range"};

    private Fallocate() {
    }

    /** The mode's bits by the names fallocate(1) gives them ({@code punch-hole, keep-size}); {@code ""} for 0. */
    public static String describe(int mode) {
        List<String> names = new ArrayList<>();
        for (int bit = NAMES.length - 1; bit >= 0; bit--) {
            if ((mode & (1 << bit)) != 0) {
                names.add(NAMES[bit]);
            }
        }
        if ((mode & ~KNOWN) != 0) {
            names.add(String.format("0x%x", mode & ~KNOWN));
        }
        return String.join(", ", names);
    }
}
