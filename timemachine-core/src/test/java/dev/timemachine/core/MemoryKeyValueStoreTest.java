package dev.timemachine.core;

import dev.timemachine.api.spi.StorageEngine;

class MemoryKeyValueStoreTest extends KeyValueStoreContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
