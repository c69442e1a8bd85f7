package org.jsmarthost.core;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration notation of the pack's parameters: a positive whole number (at most 7 digits) and a unit {@code ms},
 * {@code s} (the default), {@code m} or {@code h}, e.g. {@code 60s}, {@code 500ms}, {@code 2m}; white space between
 * number and unit is allowed, case is not significant.
 */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,6})\\s*(ms|s|m|h)?");

    private Durations() {
    }

    /**
     * The duration {@code value} gives, {@code dflt} when it is null.
     *
     * @throws IllegalArgumentException naming the parameter, the value and the notation (with {@code example})
     */
    public static Duration parse(String name, String value, Duration dflt, String example) {
        if (value == null) {
            return dflt;
        }
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + name + "' is '" + value
                + "', expected a positive number with unit ms, s (default), m or h, e.g. '" + example + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        switch (unit) {
            case "ms":
                return Duration.ofMillis(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            default:
                return Duration.ofSeconds(n);
        }
    }
}
