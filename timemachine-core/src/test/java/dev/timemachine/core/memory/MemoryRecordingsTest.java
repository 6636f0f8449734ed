package dev.timemachine.core.memory;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.testkit.RecordingsContract;
import dev.timemachine.core.testkit.MemoryEngine;

class MemoryRecordingsTest extends RecordingsContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
