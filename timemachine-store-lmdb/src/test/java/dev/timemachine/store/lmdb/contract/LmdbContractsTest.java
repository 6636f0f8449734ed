package dev.timemachine.store.lmdb.contract;

import dev.timemachine.api.spi.StorageEngine;
import dev.timemachine.core.KeyValueStoreContract;
import dev.timemachine.core.JournalContract;
import dev.timemachine.core.ContentStoreContract;
import dev.timemachine.core.VersionIndexContract;
import dev.timemachine.core.RecordingsContract;
import dev.timemachine.core.ReplayerContract;
import dev.timemachine.core.ExporterContract;
import dev.timemachine.core.CrashContract;
import dev.timemachine.core.SharedReadContract;
import dev.timemachine.store.lmdb.LmdbStorageEngine;
import org.junit.jupiter.api.Nested;

/** Every contract kit of core, run on LMDB. */
class LmdbContractsTest {

    private static StorageEngine engine() {
        return new LmdbStorageEngine();
    }

    @Nested
    class KeyValueStore extends KeyValueStoreContract {
        @Override
        protected StorageEngine engine() {
            return LmdbContractsTest.engine();
        }
    }

    @Nested
    class Journal extends JournalContract {
        @Override
        protected StorageEngine engine() {
            return LmdbContractsTest.engine();
        }
    }

    @Nested
    class ContentStore extends ContentStoreContract {
        @Override
        protected StorageEngine engine() {
            return LmdbContractsTest.engine();
        }
    }

    @Nested
    class VersionIndex extends VersionIndexContract {
        @Override
        protected StorageEngine engine() {
            return LmdbContractsTest.engine();
        }
    }

    @Nested
    class Recordings extends RecordingsContract {
        @Override
        protected StorageEngine engine() {
            return LmdbContractsTest.engine();
        }
    }

    @Nested
    class Replayer extends ReplayerContract {
        @Override
        protected StorageEngine engine() {
            return LmdbContractsTest.engine();
        }
    }

    @Nested
    class Exporter extends ExporterContract {
        @Override
        protected StorageEngine engine() {
            return LmdbContractsTest.engine();
        }
    }

    @Nested
    class Crash extends CrashContract {
        @Override
        protected StorageEngine engine() {
            return LmdbContractsTest.engine();
        }
    }

    @Nested
    class SharedRead extends SharedReadContract {
        @Override
        protected StorageEngine engine() {
            return LmdbContractsTest.engine();
        }
    }
}
