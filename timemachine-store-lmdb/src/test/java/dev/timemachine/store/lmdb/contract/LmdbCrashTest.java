package dev.timemachine.store.lmdb.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.CrashContract;
import dev.timemachine.store.lmdb.LmdbStorageEngine;

class LmdbCrashTest extends CrashContract {
    @Override
    protected StorageEngine engine() {
        return new LmdbStorageEngine();
    }
}
