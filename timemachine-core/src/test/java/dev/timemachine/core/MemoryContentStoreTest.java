package dev.timemachine.core;

import dev.timemachine.api.spi.StorageEngine;

class MemoryContentStoreTest extends ContentStoreContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
