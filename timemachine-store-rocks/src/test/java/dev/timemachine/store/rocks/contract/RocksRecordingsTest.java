package dev.timemachine.store.rocks.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.RecordingsContract;
import dev.timemachine.store.rocks.RocksStorageEngine;

class RocksRecordingsTest extends RecordingsContract {
    @Override
    protected StorageEngine engine() {
        return new RocksStorageEngine();
    }
}
