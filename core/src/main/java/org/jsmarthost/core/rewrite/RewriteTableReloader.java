package org.jsmarthost.core.rewrite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the current {@link RewriteTable} of a file and re-reads the file when it changes.
 *
 * <p>{@link #current()} looks at the file at most once per check interval (default 5 seconds; the check
 * is a stat, the file is read only when its time stamp or size changed, and parsed only when its content
 * changed). An edit that breaks the file is refused: the last good table stays in use and
 * {@link #lastError()} names the bad lines until the file is fixed. A file that disappears also keeps the
 * last good table. At start a missing file means an empty table (no rewriting); a bad file is an error.
 *
 * <p>Thread-safe; {@link #current()} never blocks on parsing done by another thread for long.
 */
public final class RewriteTableReloader {
    private static final Logger LOG = LoggerFactory.getLogger(RewriteTableReloader.class);
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);

    /** What a check found. */
    public enum Outcome {
        UNCHANGED,
        RELOADED,
        /** the file changed but was refused (or vanished); the previous table is still used */
        FAILED_KEPT_PREVIOUS
    }

    private final Path file;
    private final Clock clock;
    private final Duration checkInterval;

    private volatile RewriteTable table;
    private volatile String lastError;
    private Instant nextCheck;
    private long stampTime = Long.MIN_VALUE;
    private long stampSize = -1;
    private byte[] contentDigest = new byte[0];

    private RewriteTableReloader(Path file, Clock clock, Duration checkInterval) {
        this.file = Objects.requireNonNull(file, "file");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.checkInterval = Objects.requireNonNull(checkInterval, "checkInterval");
        if (checkInterval.isNegative()) {
            throw new IllegalArgumentException("checkInterval: '" + checkInterval + "' is negative, expected >= 0");
        }
    }

    /**
     * Loads the file (missing: empty table) and returns the reloader.
     *
     * @throws RewriteTableException when the file exists but is refused: do not start with a bad table
     */
    public static RewriteTableReloader start(Path file, Clock clock, Duration checkInterval)
            throws IOException, RewriteTableException {
        RewriteTableReloader r = new RewriteTableReloader(file, clock, checkInterval);
        r.table = RewriteTable.empty();
        r.initialLoad();
        return r;
    }

    private synchronized void initialLoad() throws IOException, RewriteTableException {
        nextCheck = clock.instant().plus(checkInterval);
        Optional<BasicFileAttributes> attrs = attributes();
        if (attrs.isEmpty()) {
            LOG.info("Rewrite table {} does not exist: no address rewriting", file);
            stampSize = -2; // known to be missing: its absence is not news on the next check
            return;
        }
        byte[] content = Files.readAllBytes(file);
        table = RewriteTable.parse(new String(content, java.nio.charset.StandardCharsets.UTF_8), file.toString());
        remember(attrs.get(), content);
        LOG.info("Loaded rewrite table {} ({} rules)", file, table.rules().size());
    }

    /** The table to use now; checks the file first when the check interval has passed. */
    public RewriteTable current() {
        boolean due;
        synchronized (this) {
            due = !clock.instant().isBefore(nextCheck);
        }
        if (due) {
            reload();
        }
        return table;
    }

    /** Checks the file now, whatever the interval. */
    public synchronized Outcome reload() {
        nextCheck = clock.instant().plus(checkInterval);
        Optional<BasicFileAttributes> attrs;
        byte[] content;
        try {
            attrs = attributes();
            if (attrs.isEmpty()) {
                if (stampSize == -2) {
                    return lastError == null ? Outcome.UNCHANGED : Outcome.FAILED_KEPT_PREVIOUS;
                }
                stampSize = -2;
                stampTime = Long.MIN_VALUE;
                contentDigest = new byte[0];
                return fail("rewrite table " + file + " has disappeared; keeping the previous table ("
                        + table.rules().size() + " rules)");
            }
            if (attrs.get().lastModifiedTime().toMillis() == stampTime && attrs.get().size() == stampSize) {
                return lastError == null ? Outcome.UNCHANGED : Outcome.FAILED_KEPT_PREVIOUS;
            }
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            return fail("cannot read rewrite table " + file + ": " + e + "; keeping the previous table");
        }
        byte[] digest = digest(content);
        if (Arrays.equals(digest, contentDigest)) {
            remember(attrs.get(), content);
            return lastError == null ? Outcome.UNCHANGED : Outcome.FAILED_KEPT_PREVIOUS;
        }
        remember(attrs.get(), content);
        try {
            RewriteTable fresh = RewriteTable.parse(new String(content, java.nio.charset.StandardCharsets.UTF_8),
                    file.toString());
            table = fresh;
            lastError = null;
            LOG.info("Reloaded rewrite table {} ({} rules)", file, fresh.rules().size());
            return Outcome.RELOADED;
        } catch (RewriteTableException e) {
            return fail(e.getMessage() + "; keeping the previous table (" + table.rules().size() + " rules)");
        }
    }

    private Outcome fail(String message) {
        lastError = message;
        LOG.error(message);
        return Outcome.FAILED_KEPT_PREVIOUS;
    }

    /** Why the file on disk is not the table in use, or empty when it is. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    public Path file() {
        return file;
    }

    private Optional<BasicFileAttributes> attributes() throws IOException {
        try {
            return Optional.of(Files.readAttributes(file, BasicFileAttributes.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private void remember(BasicFileAttributes attrs, byte[] content) {
        stampTime = attrs.lastModifiedTime().toMillis();
        stampSize = attrs.size();
        contentDigest = digest(content);
    }

    private static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
