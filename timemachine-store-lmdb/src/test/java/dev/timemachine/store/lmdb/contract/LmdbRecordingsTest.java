package dev.timemachine.store.lmdb.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.RecordingsContract;
import dev.timemachine.store.lmdb.LmdbStorageEngine;

class LmdbRecordingsTest extends RecordingsContract {
    @Override
    protected StorageEngine engine() {
        return new LmdbStorageEngine();
    }
}
