package dev.timemachine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** info says what its counters mean, in units; ones it does not know are named as they are. */
class InfoCountersTest {
    @Test
    void countersAreSaidInWordsAndUnits() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("compactionLagNanos", 13_267_340L);
        c.put("events", 5461L);
        c.put("bytes", 70_000L);
        c.put("dropped", 0L);
        c.put("approximate", 2L);
        c.put("newInALaterVersion", 7L);
        assertEquals("5,461 events, 68.4 KiB written, 0 capture records dropped, 2 approximate files, compaction done"
                + " 0.013s after the command, newInALaterVersion 7", InfoCommand.describe(c));
    }
}
