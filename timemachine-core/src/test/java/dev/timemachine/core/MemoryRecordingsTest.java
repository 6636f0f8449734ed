package dev.timemachine.core;

import dev.timemachine.api.spi.StorageEngine;

class MemoryRecordingsTest extends RecordingsContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
