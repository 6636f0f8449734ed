package dev.timemachine.api;

/** Content that a caller asked for by hash is not in the content store. */
public class ContentMissingException extends TimeMachineException {
    private final ContentHash hash;

    public ContentMissingException(ContentHash hash) {
        super("content " + hash + " is not in the content store");
        this.hash = hash;
    }

    public ContentHash hash() {
        return hash;
    }
}
