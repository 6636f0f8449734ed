package dev.timemachine.core;

import dev.timemachine.api.spi.StorageEngine;

class MemoryReplayerTest extends ReplayerContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
