package dev.timemachine.cli;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.Stores;
import dev.timemachine.core.ExporterContract;

/** Export fidelity and safety on a real RocksDB on disk. */
class RocksExporterTest extends ExporterContract {
    @Override
    protected StorageEngine engine() {
        return Stores.engine("rocks");
    }
}
