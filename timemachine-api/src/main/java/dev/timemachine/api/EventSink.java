package dev.timemachine.api;

/** Receives events from an {@link EventSource}, on the source's consuming thread, in arrival order. */
@FunctionalInterface
public interface EventSink {
    void accept(FsEvent event);
}
