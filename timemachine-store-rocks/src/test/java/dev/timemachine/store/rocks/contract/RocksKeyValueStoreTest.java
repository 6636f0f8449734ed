package dev.timemachine.store.rocks.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.KeyValueStoreContract;
import dev.timemachine.store.rocks.RocksStorageEngine;

class RocksKeyValueStoreTest extends KeyValueStoreContract {
    @Override
    protected StorageEngine engine() {
        return new RocksStorageEngine();
    }
}
