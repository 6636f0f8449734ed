package dev.timemachine.store.lmdb.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.VersionIndexContract;
import dev.timemachine.store.lmdb.LmdbStorageEngine;

class LmdbVersionIndexTest extends VersionIndexContract {
    @Override
    protected StorageEngine engine() {
        return new LmdbStorageEngine();
    }
}
