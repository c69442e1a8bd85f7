package org.jsmarthost.core.relay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the relay policy current: re-reads {@code conf/smarthost-policy.conf} (and the recipient files it
 * references) when their content changes, and keeps the last good policy when an edit is bad.
 *
 * <p>Polling, no file-system events: {@link #current()} checks at most once per {@code checkInterval} (measured
 * with the injected {@link Clock}) whether the SHA-256 of the files differs from the last one seen; if so it
 * parses the file. A good file replaces the snapshot (logged at INFO); a bad file (or a missing one) is logged
 * at ERROR with the line, key and value, {@link #lastError()} returns the message, and the previous snapshot
 * stays in force; the same bad content is not re-parsed or re-logged until it changes again. A new recipient
 * file referenced by a failing edit is only noticed when the policy file itself changes (touch it).</p>
 *
 * <p>At start-up ({@link #load}) the file must be good: a bad file throws, so the server does not start with
 * no policy or a guessed one.</p>
 */
public final class PolicyReloader implements Supplier<RelayPolicy> {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyReloader.class);

    private final Path file;
    private final Clock clock;
    private final Duration checkInterval;
    private volatile RelayPolicy current;
    private volatile String lastError;
    private byte[] lastHash;
    private volatile Instant nextCheck;

    private PolicyReloader(Path file, Clock clock, Duration checkInterval, RelayPolicy initial, byte[] hash) {
        this.file = file;
        this.clock = clock;
        this.checkInterval = checkInterval;
        this.current = initial;
        this.lastHash = hash;
        this.nextCheck = clock.instant().plus(checkInterval);
    }

    /**
     * Loads the policy file; it must be valid.
     *
     * @param checkInterval minimum time between two change checks (e.g. 5 seconds); zero checks on every call
     * @throws PolicyException when the file is missing or invalid
     */
    public static PolicyReloader load(Path file, Clock clock, Duration checkInterval) throws PolicyException {
        Objects.requireNonNull(clock);
        if (checkInterval.isNegative()) {
            throw new IllegalArgumentException("checkInterval " + checkInterval + " is negative");
        }
        RelayPolicy policy = RelayPolicy.parse(file);
        LOG.info("relay policy loaded from {}", file);
        return new PolicyReloader(file, clock, checkInterval, policy, hash(policy.sources()));
    }

    /** The policy in force, after a change check if one is due. Never null. */
    public RelayPolicy current() {
        Instant now = clock.instant();
        if (now.isBefore(nextCheck)) {
            return current;
        }
        synchronized (this) {
            if (!now.isBefore(nextCheck)) {
                nextCheck = now.plus(checkInterval);
                checkNow();
            }
        }
        return current;
    }

    @Override
    public RelayPolicy get() {
        return current();
    }

    /**
     * Checks for a change now, regardless of the interval.
     *
     * @return true when a new policy was installed
     */
    public synchronized boolean checkNow() {
        byte[] hash = hash(current.sources());
        if (hash != null && Arrays.equals(hash, lastHash)) {
            return false;
        }
        if (hash == null && lastHash == null) {
            return false;
        }
        lastHash = hash;
        try {
            RelayPolicy fresh = RelayPolicy.parse(file);
            // keep the hash taken before parsing when the file set is the same: if the file changed in between,
            // the next check sees a difference and parses again (never the other way round)
            lastHash = fresh.sources().equals(current.sources()) ? hash : hash(fresh.sources());
            current = fresh;
            lastError = null;
            LOG.info("relay policy reloaded from {}", file);
            return true;
        } catch (PolicyException e) {
            lastError = e.getMessage();
            LOG.error("relay policy NOT reloaded, the last good policy stays in force: {}", e.getMessage());
            return false;
        }
    }

    /** The error of the last reload attempt, empty when the last attempt succeeded (or none was made). */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** SHA-256 over the files' names and contents; null when one cannot be read. */
    private static byte[] hash(List<Path> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : files) {
                md.update(p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
                byte[] content = Files.readAllBytes(p);
                md.update(Long.toString(content.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                md.update((byte) 0);
                md.update(content);
            }
            return md.digest();
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
