package dev.timemachine.store.rocks;

import dev.timemachine.api.spi.Keyspace;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksObject;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB settings of one open store, per keyspace, as measured in docs/storage.md. Owns every options
 * object it creates; {@link #close()} frees them and must only run after the database itself is closed,
 * because RocksDB keeps pointers into them.
 */
final class RocksTuning implements AutoCloseable {

    private static final long MIB = 1L << 20;
    /** RocksDB's default number of LSM levels; compression is set for each of them. */
    private static final int LEVELS = 7;

    /** Closed in reverse order of creation. */
    private final List<RocksObject> owned = new ArrayList<>();
    private final LRUCache blockCache;
    private final BloomFilter bloomFilter;

    /** Whether the write-ahead log is replayed up to its first damage and the rest dropped (repair). */
    private final boolean salvage;

    RocksTuning(boolean salvage) {
        this.salvage = salvage;
        // One cache for every column family instead of a private default cache per table config.
        blockCache = own(new LRUCache(64 * MIB));
        bloomFilter = own(new BloomFilter(10));
    }

    DBOptions dbOptions() {
        int cores = Runtime.getRuntime().availableProcessors();
        return own(new DBOptions())
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                // Replaying the WAL into memtables instead of flushing it at open: a state dir whose disk filled
                // up can still be opened and read.
                .setAvoidFlushDuringRecovery(true)
                // A write-ahead log record cut short at the end is what a crash leaves, and is let go; damage
                // anywhere else (a flipped byte: a checksum mismatch) fails the open instead of dropping the rest
                // of the log in silence, as the default point-in-time recovery does.
                .setWalRecoveryMode(salvage ? org.rocksdb.WALRecoveryMode.PointInTimeRecovery
                        : org.rocksdb.WALRecoveryMode.TolerateCorruptedTailRecords)
                // Two flush threads: the journal writer alone fills 64 MB memtables faster than one thread can
                // flush them (LZ4 and table building run at about the writer's speed per event), and a second
                // flush of the same family can run while the first finishes. Journal compactions are trivial
                // moves, so compaction threads are mostly idle; more only where there are cores for them.
                .setMaxBackgroundFlushes(2)
                .setMaxBackgroundCompactions(Math.max(2, Math.min(cores, 4)))
                // The small keyspaces are written rarely; without a cap their unflushed memtables would pin every
                // WAL file the journal has written since, so the WAL would grow for the whole recording.
                .setMaxTotalWalSize(512 * MIB)
                // Smooths writeback of new SST and blob files instead of one large fsync when a file is closed.
                .setBytesPerSync(MIB)
                .setKeepLogFileNum(4)
                .setMaxLogFileSize(16 * MIB);
    }

    /** WAL on, no fsync per write: a commit survives a crash of the process, {@code sync()} covers power loss. */
    WriteOptions writeOptions() {
        return own(new WriteOptions()).setSync(false).setDisableWAL(false);
    }

    /** Settings for a column family this version does not know (written by a newer one): RocksDB defaults. */
    ColumnFamilyOptions plain() {
        return own(new ColumnFamilyOptions());
    }

    ColumnFamilyOptions columnFamily(Keyspace keyspace) {
        return switch (keyspace) {
            case JOURNAL -> journal();
            case CONTENT -> content();
            case VERSIONS -> memtables(lookups(), 64, 4);
            case PATHS, META -> memtables(lookups(), 16, 2);
            case EVENTS -> memtables(lookups(), 64, 4);
        };
    }

    /**
     * The append-only firehose: 64 MB memtables, six of them so a burst (about 2.5M events) is absorbed while
     * flushes catch up instead of stalling the writer (RocksDB starts delaying writes one memtable before the
     * limit), and the same compression on every level so sequential files move down without being rewritten
     * (write amplification 1.0; ZSTD at the bottom measured 2.3 and a third less throughput). 16 KiB blocks:
     * the journal is read sequentially, and bigger blocks mean a smaller index and a better LZ4 ratio. No
     * prefix extractor, no filter: the journal is only ever scanned in order.
     */
    private ColumnFamilyOptions journal() {
        ColumnFamilyOptions cf = memtables(own(new ColumnFamilyOptions()), 64, 6);
        lz4EveryLevel(cf);
        return cf.setTableFormatConfig(table(false).setBlockSize(16 * 1024));
    }

    /**
     * Content by hash: large values go to blob files so compaction moves only small references; blobs are
     * compressed with ZSTD (LZ4 blobs took 1.6x the disk) and garbage-collected when their content is deleted.
     * 16 MB memtables: what a memtable holds at close is flushed, compressed, on the way out of {@code record},
     * and a SQLite run's last 40 MB of keyframe chunks took 122 ms there; smaller ones are flushed while the
     * command runs (BENCHMARKS.md, fourteenth round).
     */
    private ColumnFamilyOptions content() {
        ColumnFamilyOptions cf = memtables(lookups(), 16, 4);
        return cf.setEnableBlobFiles(true)
                .setMinBlobSize(4096)
                .setBlobCompressionType(CompressionType.ZSTD_COMPRESSION)
                .setEnableBlobGarbageCollection(true);
    }

    /**
     * Point lookups and seeks: a whole-key bloom filter speeds up misses. There is deliberately no prefix
     * extractor, so every iterator stays in total order.
     */
    private ColumnFamilyOptions lookups() {
        ColumnFamilyOptions cf = own(new ColumnFamilyOptions());
        lz4EveryLevel(cf);
        return cf.setTableFormatConfig(table(true));
    }

    private static ColumnFamilyOptions memtables(ColumnFamilyOptions cf, long mib, int count) {
        return cf.setWriteBufferSize(mib * MIB).setMaxWriteBufferNumber(count).setMinWriteBufferNumberToMerge(1);
    }

    private static void lz4EveryLevel(ColumnFamilyOptions cf) {
        cf.setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setCompressionPerLevel(Collections.nCopies(LEVELS, CompressionType.LZ4_COMPRESSION))
                .setBottommostCompressionType(CompressionType.LZ4_COMPRESSION);
    }

    private BlockBasedTableConfig table(boolean bloom) {
        BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(blockCache);
        if (bloom) {
            table.setFilterPolicy(bloomFilter).setWholeKeyFiltering(true);
        }
        return table;
    }

    private <T extends RocksObject> T own(T object) {
        owned.add(object);
        return object;
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }
}
