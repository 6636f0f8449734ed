package dev.timemachine.core;

import dev.timemachine.api.spi.StorageEngine;
import org.junit.jupiter.api.Nested;

/** Every contract kit but the crash test (nothing survives a process), run on the in-memory engine. */
class MemoryContractsTest {

    private static StorageEngine engine() {
        return new MemoryEngine();
    }

    @Nested
    class KeyValueStore extends KeyValueStoreContract {
        @Override
        protected StorageEngine engine() {
            return MemoryContractsTest.engine();
        }
    }

    @Nested
    class Journal extends JournalContract {
        @Override
        protected StorageEngine engine() {
            return MemoryContractsTest.engine();
        }
    }

    @Nested
    class ContentStore extends ContentStoreContract {
        @Override
        protected StorageEngine engine() {
            return MemoryContractsTest.engine();
        }
    }

    @Nested
    class VersionIndex extends VersionIndexContract {
        @Override
        protected StorageEngine engine() {
            return MemoryContractsTest.engine();
        }
    }

    @Nested
    class Recordings extends RecordingsContract {
        @Override
        protected StorageEngine engine() {
            return MemoryContractsTest.engine();
        }
    }

    @Nested
    class Replayer extends ReplayerContract {
        @Override
        protected StorageEngine engine() {
            return MemoryContractsTest.engine();
        }
    }

    @Nested
    class Exporter extends ExporterContract {
        @Override
        protected StorageEngine engine() {
            return MemoryContractsTest.engine();
        }
    }
}
