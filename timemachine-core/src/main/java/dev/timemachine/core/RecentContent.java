package dev.timemachine.core;

import dev.timemachine.api.ContentHash;
import dev.timemachine.api.ContentStore;
import java.util.LinkedHashMap;
import java.util.function.Function;

/**
 * Content read lately, by hash, so that content asked for again and again is read from the store once: bounded
 * by bytes, the least recently read forgotten first, the one read last always kept unless larger than what is
 * kept of one. Content is never changed once made, so one array serves every caller. Not thread-safe.
 */
final class RecentContent {
    private final Function<ContentHash, byte[]> content;
    private final long budget;
    private final long maxEach;
    private final LinkedHashMap<ContentHash, byte[]> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long cached;

    /**
     * @param content reads content as {@link ContentStore#get} does
     * @param maxEach larger content is read each time it is asked for
     */
    RecentContent(Function<ContentHash, byte[]> content, long budget, long maxEach) {
        this.content = content;
        this.budget = budget;
        this.maxEach = maxEach;
    }

    /** The content's bytes; as {@link ContentStore#get} fails when it is not stored. */
    byte[] get(ContentHash hash) {
        byte[] bytes = cache.get(hash);
        if (bytes == null) {
            bytes = content.apply(hash);
            if (bytes.length > maxEach) {
                return bytes;
            }
            cache.put(hash, bytes);
            cached += bytes.length;
            var it = cache.entrySet().iterator();
            while (cached > budget && cache.size() > 1) {
                cached -= it.next().getValue().length;
                it.remove();
            }
        }
        return bytes;
    }
}
