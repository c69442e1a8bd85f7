package org.jsmarthost.mailets.archive;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.jsmarthost.core.Durations;
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
    static final String STORE = "store";
    static final String S3_ENDPOINT = "s3Endpoint";
    static final String S3_REGION = "s3Region";
    static final String S3_BUCKET = "s3Bucket";
    static final String S3_ACCESS_KEY = "s3AccessKey";
    static final String S3_SECRET_KEY = "s3SecretKey";
    static final String NODE = "node";
    static final Set<String> STORE_PARAMETERS = Set.of(STORE, S3_ENDPOINT, S3_REGION, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY, NODE);
    /** Parameters James itself reads from every mailet element. */
    static final Set<String> JAMES_PARAMETERS = Set.of("onMailetException", "onMatcherException");

    static final Set<String> PARAMETERS = union(STORE_PARAMETERS, Set.of(CAPTURE_POINT, ROOT, RETENTION_FILE, ON_FAILURE,
        RETRY_PROCESSOR, RETRY_DELAY, RESUME_PROCESSOR, DECISION_ATTRIBUTE, RULE_ATTRIBUTE, TRACE_PREFIX));
    static final Set<String> RETRY_PARAMETERS = union(STORE_PARAMETERS, Set.of(ROOT, RETENTION_FILE, RETRY_PROCESSOR, RETRY_DELAY,
        DECISION_ATTRIBUTE, RULE_ATTRIBUTE, TRACE_PREFIX));

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }

    static final String DEFAULT_ROOT = "var/archive";
    static final String DEFAULT_RETENTION_FILE = "conf/archive-retention.conf";
    static final String DEFAULT_RETRY_PROCESSOR = "archive-retry";
    static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(60);
    static final String DEFAULT_DECISION_ATTRIBUTE = "org.jsmarthost.relay.decision";
    static final String DEFAULT_RULE_ATTRIBUTE = "org.jsmarthost.relay.rules";
    static final String DEFAULT_TRACE_PREFIX = "org.jsmarthost.";

    enum OnFailure { RETRY, ERROR }


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
    /** Present when {@code store=s3}: endpoint, region, bucket, access key, secret key, node. */
    final Optional<String[]> s3;

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
        String store = text(params, STORE, "file").toLowerCase(Locale.ROOT);
        if (store.equals("file")) {
            for (String p : STORE_PARAMETERS) {
                if (!p.equals(STORE) && params.apply(p) != null) {
                    throw new IllegalArgumentException("'" + p + "' is only valid with store=s3 (store is 'file')");
                }
            }
            s3 = Optional.empty();
        } else if (store.equals("s3")) {
            String endpoint = required(params, S3_ENDPOINT, "an http(s) URL of the S3 API, e.g. https://s3.eu-central-1.amazonaws.com");
            if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                throw new IllegalArgumentException("'" + S3_ENDPOINT + "' is '" + endpoint + "', expected an http:// or https:// URL");
            }
            String node = text(params, NODE, hostName());
            org.jsmarthost.core.archive.s3.S3Archive.checkNode(node);
            s3 = Optional.of(new String[] {endpoint, text(params, S3_REGION, "us-east-1"),
                required(params, S3_BUCKET, "the bucket name"), required(params, S3_ACCESS_KEY, "the access key id"),
                required(params, S3_SECRET_KEY, "the secret access key"), node});
        } else {
            throw new IllegalArgumentException("'" + STORE + "' is '" + store + "', expected 'file' or 's3'");
        }
    }

    private static String required(Function<String, String> params, String name, String expected) {
        String v = params.apply(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("'" + name + "' is required with store=s3, expected " + expected);
        }
        return v.trim();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (java.io.IOException e) {
            return "node";
        }
    }

    /** The shared archive these parameters name (embedded under {@code root}, or the node's chain in the bucket). */
    SharedArchive acquire(java.time.Clock clock) {
        if (s3.isEmpty()) {
            return SharedArchive.acquire(root, retentionFile, clock);
        }
        String[] c = s3.get();
        org.jsmarthost.core.archive.s3.S3Client client = new org.jsmarthost.core.archive.s3.S3Client(java.net.URI.create(c[0]), c[1], c[2], c[3], c[4], clock);
        Path uploads = root.toAbsolutePath().normalize().resolve("s3-uploads");
        return SharedArchive.acquire("s3://" + c[2] + "/nodes/" + c[5] + " at " + c[0], retentionFile, clock,
            retention -> org.jsmarthost.core.archive.s3.S3Archive.open(client, c[5], uploads, clock, retention,
                org.jsmarthost.core.archive.s3.S3Archive.DEFAULT_ORPHAN_GRACE));
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
        return Durations.parse(RETRY_DELAY, v, DEFAULT_RETRY_DELAY, "60s");
    }
}
