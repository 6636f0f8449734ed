package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timemachine.api.RecordingInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimeSpecTest {
    private static final long START_MONO = 5_000_000_000_000L;
    private static final long START_WALL = Instant.parse("2026-11-25T17:00:00Z").getEpochSecond() * 1_000_000_000L;
    private static final RecordingInfo ENDED = recording(START_MONO + 600_000_000_000L);
    private static final RecordingInfo OPEN = recording(0);

    private static RecordingInfo recording(long end) {
        return new RecordingInfo(1, START_MONO, START_WALL, end, List.of("make"), List.of("/w"), "ebpf", -1, false, Map.of());
    }

    @ParameterizedTest
    @CsvSource({
            "2m30s, 150000000000",
            "1h2m3.5s, 3723500000000",
            "150.25s, 150250000000",
            "1500ms, 1500000000",
            "150250000ns, 150250000",
            "250us, 250000",
            "250µs, 250000",
            "+2.503s, 2503000000",
            "0s, 0",
            "1m0.000000001s, 60000000001",
            "2s500ms, 2500000000",
    })
    void durationsCountFromTheStart(String text, long sinceStart) {
        assertEquals(START_MONO + sinceStart, TimeSpec.toMonotonic(text, ENDED));
    }

    @Test
    void wallClockInstantsMapThroughTheStartInstants() {
        assertEquals(START_MONO + 183_123_000_000L, TimeSpec.toMonotonic("2026-11-25T17:03:03.123Z", ENDED));
        assertEquals(START_MONO + 183_123_000_000L, TimeSpec.toMonotonic("2026-11-25T18:03:03.123+01:00", ENDED));
        assertEquals(START_MONO + 1, TimeSpec.toMonotonic("2026-11-25T17:00:00.000000001Z", ENDED));
        assertEquals(START_MONO - 60_000_000_000L, TimeSpec.toMonotonic("2026-11-25T16:59:00Z", ENDED), "before the start");
    }

    @Test
    void latestIsTheEndOrEverythingWhileOpen() {
        assertEquals(ENDED.endMonoNs(), TimeSpec.toMonotonic("latest", ENDED));
        assertEquals(Long.MAX_VALUE, TimeSpec.toMonotonic("latest", OPEN));
    }

    @Test
    void rawMonotonicInstantsAreTakenAsTheyAre() {
        assertEquals(123_456_789L, TimeSpec.toMonotonic("@123456789", ENDED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "150", "2x", "m", "1.5", "2s3m", "1s1s", "1.0000000001s", "@", "@abc", "@1.5",
            "2026-11-25T17:03:00", "2026-13-25T17:03:00Z", "yesterday", "-5s", "99999999999h", "1 s"})
    void badValuesSayWhatIsAccepted(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimeSpec.toMonotonic(text, ENDED));
        assertTrue(e.getMessage().startsWith("bad time value"), e.getMessage());
        assertTrue(e.getMessage().contains("2m30s") || e.getMessage().contains("Z or an offset")
                || e.getMessage().contains("units") || e.getMessage().contains("nanosecond")
                || e.getMessage().contains("longer") || e.getMessage().contains("not a date and time that exists ("),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
