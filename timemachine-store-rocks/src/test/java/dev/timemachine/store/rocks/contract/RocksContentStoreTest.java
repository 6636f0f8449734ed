package dev.timemachine.store.rocks.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.ContentStoreContract;
import dev.timemachine.store.rocks.RocksStorageEngine;

class RocksContentStoreTest extends ContentStoreContract {
    @Override
    protected StorageEngine engine() {
        return new RocksStorageEngine();
    }
}
