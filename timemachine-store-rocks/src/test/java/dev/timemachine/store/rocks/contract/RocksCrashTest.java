package dev.timemachine.store.rocks.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.CrashContract;
import dev.timemachine.store.rocks.RocksStorageEngine;

class RocksCrashTest extends CrashContract {
    @Override
    protected StorageEngine engine() {
        return new RocksStorageEngine();
    }
}
