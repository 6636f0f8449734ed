package dev.timemachine.core;

import dev.timemachine.api.spi.KeyValueStore;

/** What tests outside core reach of an open state dir beyond the facade: the stored entries themselves. */
public final class StoreTesting {
    private StoreTesting() {
    }

    /** The engine's key-value store underneath, for tests that read or damage stored entries. */
    public static KeyValueStore keyValueStore(TimeMachine tm) {
        return ((KvTimeMachineStore) tm.store()).keyValueStore();
    }
}
