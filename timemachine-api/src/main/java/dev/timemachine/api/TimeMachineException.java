package dev.timemachine.api;

/** The root of every exception Time Machine throws on purpose. Unchecked. */
public class TimeMachineException extends RuntimeException {
    public TimeMachineException(String message) {
        super(message);
    }

    public TimeMachineException(String message, Throwable cause) {
        super(message, cause);
    }
}
