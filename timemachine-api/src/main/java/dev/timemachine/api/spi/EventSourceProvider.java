package dev.timemachine.api.spi;

import dev.timemachine.api.EventSource;
import java.util.Map;

/**
 * Makes event sources of one kind; found through {@link java.util.ServiceLoader} and chosen by
 * {@link #name()}. Implementations have a public no-argument constructor.
 */
public interface EventSourceProvider {

    /** The short name users choose the source by ({@code ebpf}, ...). */
    String name();

    /**
     * A new, not yet started, source.
     *
     * @param config source-specific settings (ring buffer size, wakeup threshold, ...); unknown keys are ignored
     */
    EventSource create(Map<String, String> config);
}
