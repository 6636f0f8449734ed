package dev.timemachine.core.replay;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.testkit.MemoryEngine;

class MemoryReplayerTest extends ReplayerContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
