package dev.timemachine.api.spi;

import java.nio.file.Path;
import java.util.Map;

/**
 * A storage engine, found through {@link java.util.ServiceLoader} and chosen by {@link #name()}.
 * Implementations have a public no-argument constructor and are stateless.
 */
public interface StorageEngine {

    /** The short name users choose the engine by ({@code rocks}, {@code lmdb}). */
    String name();

    /**
     * Opens the store in {@code dir}, creating it if it does not exist.
     *
     * @param options engine-specific settings; unknown keys are ignored
     * @throws dev.timemachine.api.TimeMachineException if the store cannot be opened
     */
    KeyValueStore open(Path dir, Map<String, String> options);
}
