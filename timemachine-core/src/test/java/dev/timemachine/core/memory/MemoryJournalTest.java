package dev.timemachine.core.memory;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.testkit.JournalContract;
import dev.timemachine.core.testkit.MemoryEngine;

class MemoryJournalTest extends JournalContract {
    @Override
    protected StorageEngine engine() {
        return new MemoryEngine();
    }
}
