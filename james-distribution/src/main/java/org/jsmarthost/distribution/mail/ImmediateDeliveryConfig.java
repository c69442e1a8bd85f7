package org.jsmarthost.distribution.mail;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The immediate-delivery parameters of {@link RemoteDelivery}, validated; immutable.
 *
 * <ul>
 *   <li>{@value #ENABLED}: {@code true} or {@code false} (default): try each mail once at once, from the
 *       thread that processes it, before the outgoing queue;</li>
 *   <li>{@value #THREADS}: how many immediate attempts may run at once, 1–1000 (default: the mailet's
 *       {@code deliveryThreads}, James's default 1); a mail that finds them all busy is queued;</li>
 *   <li>{@value #PAUSE}: after an immediate attempt failed temporarily, how long every mail goes straight to the
 *       queue: a positive number with unit ms, s (default), m or h (default {@code 30s}).</li>
 * </ul>
 *
 * <p>The duration notation is the pack's ({@code org.jsmarthost.core.Durations}), parsed here again: this class is
 * part of the launcher on James's class path, which cannot see the pack's jars in {@code extensions-jars/}.
 */
final class ImmediateDeliveryConfig {
    static final String ENABLED = "immediateDelivery";
    static final String THREADS = "immediateDeliveryThreads";
    static final String PAUSE = "immediateDeliveryPause";
    static final Duration DEFAULT_PAUSE = Duration.ofSeconds(30);
    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,6})\\s*(ms|s|m|h)?");

    final boolean enabled;
    final int threads;
    final Duration pause;

    private ImmediateDeliveryConfig(boolean enabled, int threads, Duration pause) {
        this.enabled = enabled;
        this.threads = threads;
        this.pause = pause;
    }

    /**
     * Reads the parameters ({@code params} gives null for an absent one).
     *
     * @throws IllegalArgumentException naming the parameter, its value and what is expected
     */
    static ImmediateDeliveryConfig parse(Function<String, String> params) {
        boolean enabled = bool(ENABLED, params.apply(ENABLED));
        int threads = count(THREADS, params.apply(THREADS), deliveryThreads(params.apply("deliveryThreads")));
        Duration pause = duration(PAUSE, params.apply(PAUSE));
        return new ImmediateDeliveryConfig(enabled, threads, pause);
    }

    private static boolean bool(String name, String v) {
        if (v == null || v.isBlank()) {
            return false;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException("'" + name + "' is '" + v + "', expected true or false");
        }
    }

    /** James's {@code deliveryThreads} as the default, within 1–1000; James itself judges the parameter. */
    private static int deliveryThreads(String v) {
        try {
            return v == null ? 1 : Math.max(1, Math.min(1000, Integer.parseInt(v.trim())));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static int count(String name, String v, int dflt) {
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + name + "' is '" + v + "', expected a whole number from 1 to 1000");
    }

    private static Duration duration(String name, String v) {
        if (v == null || v.isBlank()) {
            return DEFAULT_PAUSE;
        }
        Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + name + "' is '" + v
                    + "', expected a positive number with unit ms, s (default), m or h, e.g. '30s'");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2) == null ? "s" : m.group(2)) {
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

    /** 30s, 2m, 1h, 300ms: the parameter's notation. */
    static String text(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    @Override
    public String toString() {
        return enabled ? "immediate delivery on (" + threads + " at once, pause " + text(pause) + " after a temporary failure)"
                : "immediate delivery off";
    }
}
