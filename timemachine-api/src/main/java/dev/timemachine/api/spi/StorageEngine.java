package dev.timemachine.api.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

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

    /**
     * Opens the existing store in {@code dir} for reading only, beside other processes reading it the same way,
     * and writes nothing there. Callers make sure no process has it open with {@link #open} meanwhile (core
     * holds a shared lock on the state dir for it). The store returned refuses writes.
     *
     * @return empty if this engine has no such mode, or cannot read this store without changing it first (for
     *         instance a keyspace this version added that the store does not have yet)
     * @throws dev.timemachine.api.TimeMachineException if the store cannot be opened
     */
    default Optional<KeyValueStore> openReadOnly(Path dir, Map<String, String> options) {
        return Optional.empty();
    }
}
