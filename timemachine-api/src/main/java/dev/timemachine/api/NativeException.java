package dev.timemachine.api;

/** A native call failed. Carries the errno and, for a refused BPF program, the verifier log. */
public class NativeException extends TimeMachineException {
    private final int errno;
    private final String detail;

    public NativeException(String message, int errno, String detail) {
        super(message + " (errno " + errno + ")" + (detail == null || detail.isBlank() ? "" : "\n" + detail));
        this.errno = errno;
        this.detail = detail;
    }

    public int errno() {
        return errno;
    }

    /** The verifier log or other native detail, possibly empty. */
    public String detail() {
        return detail == null ? "" : detail;
    }
}
