package dev.timemachine.api;

import java.util.List;

/** A storage engine or event source was asked for by a name nobody provides; the message lists the names that exist. */
public class UnknownNameException extends TimeMachineException {
    private final List<String> available;

    public UnknownNameException(String what, String name, List<String> available) {
        super("unknown " + what + " '" + name + "'; available: " + String.join(", ", available));
        this.available = List.copyOf(available);
    }

    public List<String> available() {
        return available;
    }
}
