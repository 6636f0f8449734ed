package dev.timemachine.core;

import dev.timemachine.api.spi.StorageEngine;

class MemoryExporterTest extends ExporterContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
