package dev.timemachine.store.lmdb.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.KeyValueStoreContract;
import dev.timemachine.store.lmdb.LmdbStorageEngine;

class LmdbKeyValueStoreTest extends KeyValueStoreContract {
    @Override
    protected StorageEngine engine() {
        return new LmdbStorageEngine();
    }
}
