package org.jsmarthost.core.archive;

import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long archived messages are kept, per sender domain, with a default.
 *
 * <p>Configuration format (one rule per line, {@code #} starts a comment, blank lines ignored):
 * <pre>
 * # keep everything 10 years unless said otherwise
 * default = 10y
 * example.com = 6y
 * .example.org = 7y      # leading dot: example.org and all its subdomains
 * marketing.example.com = 18m
 * </pre>
 * A period is a positive number followed by {@code y} (years), {@code m} (months) or {@code d} (days).
 * The sender domain is the domain of MAIL FROM (lower-cased). An exact domain rule wins over a
 * leading-dot rule; among leading-dot rules the longest (most specific) wins; the null sender and
 * unmatched domains use {@code default}. Without a {@code default} line the default is 10 years.
 * An entry expires at <em>time received + period</em> (calendar arithmetic in UTC) and is only purged
 * after that instant and only if no legal hold covers it.
 *
 * <p>Errors name the line and the bad value; an invalid file is rejected as a whole (nothing is purged
 * with a half-read policy).
 */
public final class RetentionPolicy {
    /** Default retention when no {@code default} rule is given: 10 years. */
    public static final Period DEFAULT_PERIOD = Period.ofYears(10);

    private static final Pattern PERIOD = Pattern.compile("([1-9][0-9]{0,4})([ymd])");
    private static final Pattern DOMAIN = Pattern.compile("\\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private final Period defaultPeriod;
    private final Map<String, Period> exact;
    private final Map<String, Period> suffix;

    private RetentionPolicy(Period defaultPeriod, Map<String, Period> exact, Map<String, Period> suffix) {
        this.defaultPeriod = defaultPeriod;
        this.exact = Collections.unmodifiableMap(exact);
        this.suffix = Collections.unmodifiableMap(suffix);
    }

    /** Keep everything for {@code period}. */
    public static RetentionPolicy uniform(Period period) {
        checkPositive(period, "default");
        return new RetentionPolicy(period, new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** The built-in policy: every domain 10 years. */
    public static RetentionPolicy defaults() {
        return uniform(DEFAULT_PERIOD);
    }

    private static void checkPositive(Period p, String what) {
        if (p.isNegative() || p.isZero()) {
            throw new IllegalArgumentException(what + ": retention period " + p + " must be positive");
        }
    }

    /** Parses the configuration text described in the class documentation. */
    public static RetentionPolicy parse(String text) {
        Period def = DEFAULT_PERIOD;
        boolean defSeen = false;
        Map<String, Period> exact = new LinkedHashMap<>();
        Map<String, Period> suffix = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.trim();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("retention line " + lineNo + ": '" + line
                        + "' is not a rule, expected 'domain = period' or 'default = period' (e.g. example.com = 10y)");
            }
            String key = line.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
            Matcher m = PERIOD.matcher(value);
            if (!m.matches()) {
                throw new IllegalArgumentException("retention line " + lineNo + ": '" + value
                        + "' is not a valid period, expected a positive number followed by y, m or d (e.g. 10y, 18m, 30d)");
            }
            int n = Integer.parseInt(m.group(1));
            Period p = "y".equals(m.group(2)) ? Period.ofYears(n) : "m".equals(m.group(2)) ? Period.ofMonths(n) : Period.ofDays(n);
            if (key.equals("default")) {
                if (defSeen) {
                    throw new IllegalArgumentException("retention line " + lineNo + ": 'default' is given twice");
                }
                defSeen = true;
                def = p;
                continue;
            }
            if (!DOMAIN.matcher(key).matches()) {
                throw new IllegalArgumentException("retention line " + lineNo + ": '" + key
                        + "' is not a valid domain, expected e.g. example.com or .example.com (with subdomains)");
            }
            Map<String, Period> target = key.startsWith(".") ? suffix : exact;
            String k = key.startsWith(".") ? key.substring(1) : key;
            if (target.put(k, p) != null) {
                throw new IllegalArgumentException("retention line " + lineNo + ": domain '" + key + "' is given twice");
            }
        }
        return new RetentionPolicy(def, exact, suffix);
    }

    public Period defaultPeriod() {
        return defaultPeriod;
    }

    /** The retention period for mail from {@code senderDomain} (lower-case, may be empty). */
    public Period periodFor(String senderDomain) {
        String d = senderDomain == null ? "" : senderDomain.toLowerCase(Locale.ROOT);
        Period p = exact.get(d);
        if (p != null) {
            return p;
        }
        String best = null;
        for (Map.Entry<String, Period> e : suffix.entrySet()) {
            String s = e.getKey();
            if ((d.equals(s) || d.endsWith("." + s)) && (best == null || s.length() > best.length())) {
                best = s;
            }
        }
        return best == null ? defaultPeriod : suffix.get(best);
    }

    /** The instant after which the entry may be purged (unless held). */
    public Instant expiry(Envelope envelope) {
        Period p = periodFor(envelope.senderDomain());
        return envelope.received().atOffset(ZoneOffset.UTC).plus(p).toInstant();
    }

    @Override
    public String toString() {
        return "RetentionPolicy[default=" + defaultPeriod + " exact=" + exact + " subdomains=" + suffix + "]";
    }
}
