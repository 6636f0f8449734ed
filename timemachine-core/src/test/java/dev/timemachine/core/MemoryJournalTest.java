package dev.timemachine.core;

import dev.timemachine.api.spi.StorageEngine;

class MemoryJournalTest extends JournalContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
