package dev.timemachine.core;

import dev.timemachine.api.RecordingInfo;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code --time} value (docs/architecture.md §1), parsed once and mapped to a CLOCK_MONOTONIC instant of a recording:
 * <ul>
 *   <li>a duration since the start of the recording: one or more number-unit pairs, largest unit first, units
 *   {@code d h m s ms us ns} (also {@code µs}), decimals allowed: {@code 2m30s}, {@code 1h2m3.5s},
 *   {@code 150.25s}, {@code 1500ms}, {@code 150250000ns}, {@code 250us}; a leading {@code +} is allowed, so
 *   offsets printed by {@code log} can be pasted back;</li>
 *   <li>an ISO-8601 instant with {@code Z} or an offset: {@code 2026-11-25T17:03:00.123Z},
 *   {@code 2026-11-25T18:03:00.123+01:00};</li>
 *   <li>{@code latest}: the end of the recording, or every event so far if it is still open;</li>
 *   <li>{@code @<ns>}: a raw monotonic instant.</li>
 * </ul>
 * Immutable.
 */
public final class TimeSpec {
    /** What {@link #parse} accepts, for error messages. */
    public static final String ACCEPTED = "expected a duration since the start (2m30s, 1h2m3.5s, 150.25s, 1500ms, 250us, "
            + "150250000ns), an ISO-8601 instant (2026-11-25T17:03:00.123Z or with an offset), 'latest' or @<monotonic ns>";

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(d|h|ms|m|s|us|µs|ns)");
    private static final BigDecimal NS_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private enum Form { SINCE_START, WALL_CLOCK, LATEST, MONOTONIC }

    private final String text;
    private final Form form;
    private final long value;

    private TimeSpec(String text, Form form, long value) {
        this.text = text;
        this.form = form;
        this.value = value;
    }

    /**
     * Parses a {@code --time} value.
     *
     * @throws IllegalArgumentException saying what is accepted
     */
    public static TimeSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw bad(text);
        }
        String t = text.strip();
        if (t.equalsIgnoreCase("latest")) {
            return new TimeSpec(t, Form.LATEST, 0);
        }
        if (t.startsWith("@")) {
            try {
                return new TimeSpec(t, Form.MONOTONIC, Long.parseLong(t.substring(1)));
            } catch (NumberFormatException e) {
                throw bad(text);
            }
        }
        if (t.indexOf('T') > 0 && Character.isDigit(t.charAt(0))) {
            return new TimeSpec(t, Form.WALL_CLOCK, wallNs(t, text));
        }
        return new TimeSpec(t, Form.SINCE_START, durationNs(t.startsWith("+") ? t.substring(1) : t, text));
    }

    /**
     * Parses a duration such as {@code 7d}, {@code 12h30m} or {@code 1500ms} into nanoseconds.
     *
     * @throws IllegalArgumentException saying what is accepted
     */
    public static long parseDuration(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("bad duration '" + text + "': expected for example 7d, 12h, 30m or 90s");
        }
        try {
            return durationNs(text.strip(), text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad duration '" + text + "': expected for example 7d, 12h, 30m or 90s");
        }
    }

    /** Parses {@code text} and maps it onto {@code recording} in one go. */
    public static long toMonotonic(String text, RecordingInfo recording) {
        return parse(text).resolve(recording);
    }

    /**
     * The CLOCK_MONOTONIC instant this value names in {@code recording}. Instants before the start or after
     * the end are allowed: before the start the tree is the baseline, after the end it is the final tree.
     *
     * @throws IllegalArgumentException if the instant cannot be represented
     */
    public long resolve(RecordingInfo recording) {
        try {
            return switch (form) {
                case MONOTONIC -> value;
                case LATEST -> recording.endMonoNs() != 0 ? recording.endMonoNs() : Long.MAX_VALUE;
                case SINCE_START -> Math.addExact(recording.startMonoNs(), value);
                case WALL_CLOCK -> Math.addExact(recording.startMonoNs(), Math.subtractExact(value, recording.startWallNs()));
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too far from the recording to be represented in nanoseconds");
        }
    }

    @Override
    public String toString() {
        return text;
    }

    private static long durationNs(String t, String original) {
        Matcher m = PART.matcher(t.toLowerCase(Locale.ROOT));
        BigDecimal total = BigDecimal.ZERO;
        int pos = 0;
        int lastRank = Integer.MAX_VALUE;
        while (pos < t.length()) {
            if (!m.find(pos) || m.start() != pos) {
                throw bad(original);
            }
            int rank = rank(m.group(2));
            if (rank >= lastRank) {
                throw new IllegalArgumentException("bad time value '" + original + "': give units largest first, each once; " + ACCEPTED);
            }
            lastRank = rank;
            total = total.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNs(m.group(2)))));
            pos = m.end();
        }
        if (pos == 0) {
            throw bad(original);
        }
        if (total.compareTo(NS_MAX) > 0) {
            throw new IllegalArgumentException("bad time value '" + original + "': longer than a recording can be");
        }
        BigInteger ns = total.toBigInteger();
        if (total.compareTo(new BigDecimal(ns)) != 0) {
            throw new IllegalArgumentException("bad time value '" + original + "': finer than a nanosecond");
        }
        return ns.longValueExact();
    }

    private static int rank(String unit) {
        return switch (unit) {
            case "d" -> 7;
            case "h" -> 6;
            case "m" -> 5;
            case "s" -> 4;
            case "ms" -> 3;
            case "us", "µs" -> 2;
            default -> 1;
        };
    }

    private static long unitNs(String unit) {
        return switch (unit) {
            case "d" -> 86_400_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "s" -> 1_000_000_000L;
            case "ms" -> 1_000_000L;
            case "us", "µs" -> 1_000L;
            default -> 1L;
        };
    }

    private static long wallNs(String t, String original) {
        Instant instant;
        try {
            instant = OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            String why = e.getMessage() == null ? "" : e.getMessage();
            int at = why.indexOf("could not be parsed: ");
            if (t.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})") && at >= 0) {
                // the shape is right, a field is not: say which
                throw new IllegalArgumentException("bad time value '" + original + "': not a date and time that exists ("
                        + why.substring(at + "could not be parsed: ".length()) + ")");
            }
            throw new IllegalArgumentException("bad time value '" + original
                    + "': an ISO-8601 instant needs a date, a time and Z or an offset, like 2026-11-25T17:03:00.123Z");
        }
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("bad time value '" + original + "': out of range");
        }
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("bad time value '" + text + "': " + ACCEPTED);
    }
}
