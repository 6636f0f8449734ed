package dev.timemachine.cli;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.Stores;
import dev.timemachine.core.ReplayerContract;

/** The replayer contract on a real RocksDB on disk (core cannot depend on an engine, so it runs here). */
class RocksReplayerTest extends ReplayerContract {
    @Override
    protected StorageEngine engine() {
        return Stores.engine("rocks");
    }
}
