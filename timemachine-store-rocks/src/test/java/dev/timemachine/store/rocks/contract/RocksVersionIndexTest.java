package dev.timemachine.store.rocks.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.VersionIndexContract;
import dev.timemachine.store.rocks.RocksStorageEngine;

class RocksVersionIndexTest extends VersionIndexContract {
    @Override
    protected StorageEngine engine() {
        return new RocksStorageEngine();
    }
}
