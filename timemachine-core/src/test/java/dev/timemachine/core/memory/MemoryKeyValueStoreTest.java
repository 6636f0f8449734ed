package dev.timemachine.core.memory;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.testkit.KeyValueStoreContract;
import dev.timemachine.core.testkit.MemoryEngine;

class MemoryKeyValueStoreTest extends KeyValueStoreContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
