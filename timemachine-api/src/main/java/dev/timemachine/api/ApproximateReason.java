package dev.timemachine.api;

/**
 * Why a file is approximate from a version on: carried by a {@link Op#REREAD} event in {@link FsEvent#mode()} and
 * by an approximate {@link VersionRecord} in bits 8-11 of its flags ({@link #of(int)}). Codes are never reused.
 */
public enum ApproximateReason {
    /** Records written before reasons were kept, or a cause not said. */
    UNSAID(0, "written where the capture cannot see the bytes, or capture records were lost"),
    MAPPED(1, "written through a shared mapping (mmap), read back at msync, munmap or exit"),
    PIPE(2, "spliced in from a pipe, read back from the file"),
    IO_URING(3, "written through io_uring, read back after the write completed"),
    UNREADABLE(4, "a write whose bytes the capture could not read, read back from the file"),
    LOST(5, "capture records were lost under load, read back from the file"),
    SHARED_OFFSET(6, "written through a file offset shared with another writer, its offset a guess"),
    MOVED_IN(7, "moved in from outside the roots and changed around then, read from disk later"),
    STATE_UNKNOWN(8, "its content before this change was not known to the recorder"),
    COPIED_FROM_OUTSIDE(9, "copied from a file outside the roots that changed around then, read back from the file"),
    TMPFILE(10, "written unnamed (O_TMPFILE) by a copy, or more than the recorder holds before its link, read back");

    /** Where the code sits in a version record's flags. */
    private static final int SHIFT = 8;
    private static final int MASK = 0xf;

    private final int code;
    private final String text;

    ApproximateReason(int code, String text) {
        this.code = code;
        this.text = text;
    }

    public int code() {
        return code;
    }

    /** The reason as export, cat, history and info give it. */
    public String text() {
        return text;
    }

    /** The reason a version record's flags carry; {@link #UNSAID} for none or one this version does not know. */
    public static ApproximateReason of(int flags) {
        return ofCode((flags >>> SHIFT) & MASK);
    }

    /** The reason of this code; {@link #UNSAID} for one this version does not know. */
    public static ApproximateReason ofCode(int code) {
        for (ApproximateReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return UNSAID;
    }

    /** {@code flags} with this reason in them (and {@link VersionRecord#FLAG_APPROXIMATE}). */
    public int in(int flags) {
        return (flags & ~(MASK << SHIFT)) | (code << SHIFT) | VersionRecord.FLAG_APPROXIMATE;
    }
}
