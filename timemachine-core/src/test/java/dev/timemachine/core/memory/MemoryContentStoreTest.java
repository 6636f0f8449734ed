package dev.timemachine.core.memory;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.testkit.ContentStoreContract;
import dev.timemachine.core.testkit.MemoryEngine;

class MemoryContentStoreTest extends ContentStoreContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
