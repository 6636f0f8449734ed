package dev.timemachine.core;

import dev.timemachine.api.spi.StorageEngine;

class MemoryVersionIndexTest extends VersionIndexContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
