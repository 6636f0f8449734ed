package dev.timemachine.core.memory;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.testkit.VersionIndexContract;
import dev.timemachine.core.testkit.MemoryEngine;

class MemoryVersionIndexTest extends VersionIndexContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
