package dev.timemachine.capture.ebpf;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.spi.EventSourceProvider;
import java.util.Map;

/** Provides the {@code ebpf} event source. See {@link EbpfEventSource} for the configuration keys. */
public final class EbpfEventSourceProvider implements EventSourceProvider {

    @Override
    public String name() {
        return EbpfEventSource.NAME;
    }

    /** @throws IllegalArgumentException if a configuration value is malformed or out of range */
    @Override
    public EventSource create(Map<String, String> config) {
        return new EbpfEventSource(EbpfConfig.from(config));
    }
}
