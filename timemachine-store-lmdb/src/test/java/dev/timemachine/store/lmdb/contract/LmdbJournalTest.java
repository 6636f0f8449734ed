package dev.timemachine.store.lmdb.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.JournalContract;
import dev.timemachine.store.lmdb.LmdbStorageEngine;

class LmdbJournalTest extends JournalContract {
    @Override
    protected StorageEngine engine() {
        return new LmdbStorageEngine();
    }
}
