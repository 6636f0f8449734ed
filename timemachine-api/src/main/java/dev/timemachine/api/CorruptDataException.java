package dev.timemachine.api;

/**
 * Stored data could not be decoded or failed its check: an unknown format version, a truncated value, a
 * content hash that does not match. The message names the keyspace and key (in hex) of the bad entry.
 */
public class CorruptDataException extends TimeMachineException {
    private final String key;

    public CorruptDataException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public CorruptDataException(String key, String problem, Throwable cause) {
        super(key + ": " + problem, cause);
        this.key = key;
    }

    /** The bad entry, as {@code prefix:hex-of-key}. */
    public String key() {
        return key;
    }
}
