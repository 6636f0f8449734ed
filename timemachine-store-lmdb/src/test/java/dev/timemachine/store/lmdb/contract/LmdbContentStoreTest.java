package dev.timemachine.store.lmdb.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.ContentStoreContract;
import dev.timemachine.store.lmdb.LmdbStorageEngine;

class LmdbContentStoreTest extends ContentStoreContract {
    @Override
    protected StorageEngine engine() {
        return new LmdbStorageEngine();
    }
}
