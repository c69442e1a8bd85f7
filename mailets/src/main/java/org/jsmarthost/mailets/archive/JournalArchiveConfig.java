package org.jsmarthost.mailets.archive;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jsmarthost.core.archive.CapturePoint;

/**
 * The validated parameters of {@link JournalArchive} and {@link JournalArchiveRetry} (see their javadoc for
 * meaning and defaults). Errors name the parameter, the bad value and what was expected.
 */
final class JournalArchiveConfig {
    static final String CAPTURE_POINT = "capturePoint";
    static final String ROOT = "root";
    static final String RETENTION_FILE = "retentionFile";
    static final String ON_FAILURE = "onFailure";
    static final String RETRY_PROCESSOR = "retryProcessor";
    static final String RETRY_DELAY = "retryDelay";
    static final String RESUME_PROCESSOR = "resumeProcessor";
    static final String DECISION_ATTRIBUTE = "decisionAttribute";
    static final String RULE_ATTRIBUTE = "ruleAttribute";
    static final String TRACE_PREFIX = "tracePrefix";
    /** Parameters James itself reads from every mailet element. */
    static final Set<String> JAMES_PARAMETERS = Set.of("onMailetException", "onMatcherException");

    static final Set<String> PARAMETERS = Set.of(CAPTURE_POINT, ROOT, RETENTION_FILE, ON_FAILURE, RETRY_PROCESSOR,
        RETRY_DELAY, RESUME_PROCESSOR, DECISION_ATTRIBUTE, RULE_ATTRIBUTE, TRACE_PREFIX);
    static final Set<String> RETRY_PARAMETERS = Set.of(ROOT, RETENTION_FILE, RETRY_PROCESSOR, RETRY_DELAY,
        DECISION_ATTRIBUTE, RULE_ATTRIBUTE, TRACE_PREFIX);

    static final String DEFAULT_ROOT = "var/archive";
    static final String DEFAULT_RETENTION_FILE = "conf/archive-retention.conf";
    static final String DEFAULT_RETRY_PROCESSOR = "archive-retry";
    static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(60);
    static final String DEFAULT_DECISION_ATTRIBUTE = "org.jsmarthost.relay.decision";
    static final String DEFAULT_RULE_ATTRIBUTE = "org.jsmarthost.relay.rule";
    static final String DEFAULT_TRACE_PREFIX = "org.jsmarthost.";

    enum OnFailure { RETRY, ERROR }

    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,6})\\s*(ms|s|m|h)?");

    final Optional<CapturePoint> capturePoint;
    final Path root;
    final Path retentionFile;
    final OnFailure onFailure;
    final String retryProcessor;
    final Duration retryDelay;
    final Optional<String> resumeProcessor;
    final String decisionAttribute;
    final String ruleAttribute;
    final String tracePrefix;

    private JournalArchiveConfig(Function<String, String> params, boolean retryMailet) {
        if (retryMailet) {
            capturePoint = Optional.empty();
            onFailure = OnFailure.RETRY;
            resumeProcessor = Optional.empty();
        } else {
            String cp = params.apply(CAPTURE_POINT);
            if (cp == null || cp.isBlank()) {
                throw new IllegalArgumentException("'" + CAPTURE_POINT + "' is required, expected 'received' or 'sent'");
            }
            try {
                capturePoint = Optional.of(CapturePoint.parse(cp.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + CAPTURE_POINT + "' is '" + cp + "', expected 'received' or 'sent'");
            }
            String f = text(params, ON_FAILURE, "retry").toLowerCase(Locale.ROOT);
            if (f.equals("retry")) {
                onFailure = OnFailure.RETRY;
            } else if (f.equals("error")) {
                onFailure = OnFailure.ERROR;
            } else {
                throw new IllegalArgumentException("'" + ON_FAILURE + "' is '" + f + "', expected 'retry' or 'error'");
            }
            resumeProcessor = Optional.ofNullable(params.apply(RESUME_PROCESSOR)).map(String::trim).filter(s -> !s.isEmpty());
        }
        root = Path.of(text(params, ROOT, DEFAULT_ROOT));
        retentionFile = Path.of(text(params, RETENTION_FILE, DEFAULT_RETENTION_FILE));
        retryProcessor = text(params, RETRY_PROCESSOR, DEFAULT_RETRY_PROCESSOR);
        retryDelay = duration(params.apply(RETRY_DELAY));
        decisionAttribute = text(params, DECISION_ATTRIBUTE, DEFAULT_DECISION_ATTRIBUTE);
        ruleAttribute = text(params, RULE_ATTRIBUTE, DEFAULT_RULE_ATTRIBUTE);
        tracePrefix = text(params, TRACE_PREFIX, DEFAULT_TRACE_PREFIX);
    }

    /** Parameters of a {@link JournalArchive}. */
    static JournalArchiveConfig capture(Function<String, String> params) {
        return new JournalArchiveConfig(params, false);
    }

    /** Parameters of a {@link JournalArchiveRetry}. */
    static JournalArchiveConfig retry(Function<String, String> params) {
        return new JournalArchiveConfig(params, true);
    }

    private static String text(Function<String, String> params, String name, String dflt) {
        String v = params.apply(name);
        if (v == null) {
            return dflt;
        }
        if (v.isBlank()) {
            throw new IllegalArgumentException("'" + name + "' is empty, expected a value (default '" + dflt + "')");
        }
        return v.trim();
    }

    private static Duration duration(String v) {
        if (v == null) {
            return DEFAULT_RETRY_DELAY;
        }
        Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + RETRY_DELAY + "' is '" + v
                + "', expected a positive number with unit ms, s (default), m or h, e.g. '60s'");
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
