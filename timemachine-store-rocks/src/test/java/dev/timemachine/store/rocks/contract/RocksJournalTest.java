package dev.timemachine.store.rocks.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.JournalContract;
import dev.timemachine.store.rocks.RocksStorageEngine;

class RocksJournalTest extends JournalContract {
    @Override
    protected StorageEngine engine() {
        return new RocksStorageEngine();
    }
}
