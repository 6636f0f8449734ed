package dev.timemachine.core.replay;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.testkit.MemoryEngine;

class MemoryExporterTest extends ExporterContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
