package dev.timemachine.core;

import dev.timemachine.api.EventLog;
import dev.timemachine.api.JournalEntry;
import dev.timemachine.api.JournalPosition;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage 2 (docs/architecture.md): takes journal entries in (time, sequence) order up to a watermark, from
 * memory ({@link JournalTail}) where it can and from the journal otherwise, in chunks; has the
 * {@link VersionWriter} turn each chunk into version records; writes their content, then the records; keeps
 * the chunk's payload-free summaries in the event log; and trims the journal behind it.
 *
 * <p>Compacting the same range twice (after a crash between writing versions and trimming) writes the same
 * records again, since the writer is deterministic. Not thread-safe: one compactor thread per recording.
 */
final class Compactor {
    private static final int CHUNK_ENTRIES = 2_000;
    private static final long CHUNK_BYTES = 64L << 20;
    /** Payloads the writer fetched lately, kept up to this many bytes, each at most the next. */
    private static final long RECENT_PAYLOAD_BYTES = 1L << 20;
    private static final long RECENT_PAYLOAD_MAX = 64L << 10;

    /** Counters for the recording's summary. */
    record Counters(long events, long bytes, long versions, long approximateFiles) {
    }

    private final KvJournal journal;
    private final KvVersionIndex index;
    private final EventLog events;
    private final KvContentStore content;
    private final VersionWriter writer;
    private JournalTail tail;
    /** The highest watermark compacted up to so far. */
    private long compactedUpTo = Long.MIN_VALUE;

    /**
     * @param replayer reads back the bytes of a file whose keyframe is due and whose bytes the writer does not
     *                 hold, once what is pending is stored
     */
    Compactor(KvTimeMachineStore store, int recording, TreeState tree, PathFilter filter, KvReplayer replayer) {
        this.journal = store.kvJournal(recording);
        this.index = store.kvVersions(recording);
        this.events = store.events(recording);
        this.content = store.kvContent();
        // writes into a file whose bytes the writer holds need their payloads: a flood of the same page (a dd of
        // zeros) fetched the same 4 KiB from the payload log 16,000 times, a fifth of its compaction
        RecentContent payloads = new RecentContent(content::payload, RECENT_PAYLOAD_BYTES, RECENT_PAYLOAD_MAX);
        this.writer = new VersionWriter(tree, filter, new DiskImporter(journal, filter), (path, t, seq) -> {
            flush();
            return replayer.contentAt(path, t, seq);
        }, payloads::get);
    }

    Counters counters() {
        return new Counters(writer.events(), writer.bytes(), writer.versions(), writer.approximateFiles());
    }

    /** The paths whose versions are approximate, for the summary. */
    List<byte[]> approximatePaths() {
        return writer.approximatePaths();
    }

    /** Takes the entries appended to the journal from {@code tail} instead of reading back those it holds. */
    void feedFrom(JournalTail tail) {
        this.tail = tail;
    }

    /** The journal position up to which everything is compacted (exclusive). */
    JournalPosition compactedTo() {
        return journal.trimmedTo();
    }

    /**
     * Compacts every journal entry with a timestamp at or before {@code watermarkNs}, then trims them.
     *
     * @return how many entries were compacted
     */
    long compactUpTo(long watermarkNs) {
        JournalTail.Taken held = tail == null ? null : tail.take(compactedUpTo, watermarkNs);
        compactedUpTo = Math.max(compactedUpTo, watermarkNs);
        long total = 0;
        if (held != null) {
            List<JournalTail.Held> entries = held.entries();
            int from = 0;
            while (from < entries.size()) {
                int to = from;
                long bytes = 0;
                while (to < entries.size() && !chunkFull(to - from, bytes)) {
                    bytes += entries.get(to++).entry().event().payload().length;
                }
                compact(entries.subList(from, to));
                from = to;
            }
            total = entries.size();
            if (held.complete()) {
                return total;
            }
        }
        while (true) {
            List<JournalTail.Held> chunk = new ArrayList<>();
            long[] bytes = {0};
            journal.scan(journal.trimmedTo(), (e, hash) -> {
                if (e.event().timeNs() > watermarkNs) {
                    return false;
                }
                chunk.add(JournalTail.Held.of(e, hash));
                bytes[0] += e.event().payload().length;
                return !chunkFull(chunk.size(), bytes[0]);
            });
            if (chunk.isEmpty()) {
                return total;
            }
            compact(chunk);
            total += chunk.size();
        }
    }

    /** Whether a chunk of this many entries and payload bytes is compacted (and trimmed) as it is. */
    private static boolean chunkFull(int entries, long payloadBytes) {
        return entries >= CHUNK_ENTRIES || payloadBytes >= CHUNK_BYTES;
    }

    /** Compacts the journal's next entries, in journal order, and trims them. */
    private void compact(List<JournalTail.Held> chunk) {
        JournalPosition first = chunk.get(0).entry().position();
        if (first.compareTo(journal.trimmedTo()) < 0) {
            throw new IllegalStateException("entry " + first + " is before the compacted part of the journal, "
                    + journal.trimmedTo());
        }
        List<JournalEntry> entries = new ArrayList<>(chunk.size());
        boolean[] superseded = VersionWriter.supersededRereads(chunk);
        for (int i = 0; i < chunk.size(); i++) {
            writer.apply(chunk.get(i), superseded[i]);
            entries.add(chunk.get(i).entry());
        }
        flush();
        events.append(entries);
        journal.trim(entries.get(entries.size() - 1).position().next());
    }

    /** Content is written before the versions that refer to it, so a reader never meets a dangling hash. */
    private void flush() {
        content.putHashed(writer.pendingContent());
        writer.pendingContent().clear();
        content.putChunked(writer.pendingChunked());
        writer.pendingChunked().clear();
        index.append(writer.pending());
        writer.pending().clear();
    }
}
