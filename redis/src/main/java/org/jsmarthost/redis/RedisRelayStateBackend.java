package org.jsmarthost.redis;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

import org.jsmarthost.core.relay.PopAuthStore;
import org.jsmarthost.core.relay.QuotaCounter;
import org.jsmarthost.core.relay.RelayStateBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relay-policy state in Redis, so that several James nodes share SMTP-after-POP logins and send-quota counters.
 *
 * <h2>Installing</h2>
 * Copy {@code smarthost-redis-VERSION.jar} into James's {@code extensions-jars/} next to the other pack jars
 * (it is self-contained: its Redis client, Jedis, and Jedis's libraries are inside, relocated under
 * {@code org.jsmarthost.redis.shaded}, so they never meet James's own class path) and set the pack's state
 * backend to a {@code redis://} URI. Every node of the cluster uses the same URI.
 *
 * <h2>URI</h2>
 * <pre>
 * redis://HOST:PORT[/DB][?timeout=MILLISECONDS][&amp;pool=N]
 * redis://:PASSWORD@HOST:PORT/DB             requirepass (the default user)
 * redis://USER:PASSWORD@HOST:PORT/DB         Redis 6+ ACL user
 * </pre>
 * <ul>
 * <li>{@code DB}: database number, default {@code 0}. Different clusters may share a Redis server with
 *     different databases.</li>
 * <li>{@code timeout}: connect timeout, command timeout and the longest wait for a pooled connection, each,
 *     in milliseconds ({@code 10..60000}, default {@code 1000}). Keep it short: an SMTP client is waiting.</li>
 * <li>{@code pool}: most connections per node ({@code 1..1024}, default {@code 16}).</li>
 * <li>Percent-encode reserved characters of a password ({@code @ : / ? # %}). IPv6 hosts in brackets:
 *     {@code redis://[::1]:6379}.</li>
 * </ul>
 * Examples: {@code redis://127.0.0.1:6379}, {@code redis://:s3cret@10.0.0.5:6379/2?timeout=500}.
 * {@link #describe()} (logs, {@code smarthost-cli}) shows {@code redis://HOST:PORT/DB}, never credentials.
 *
 * <h2>Keys</h2>
 * <pre>
 * smarthost:pop:&lt;client address&gt;     hash sec, nano, login; expires after the SMTP-after-POP window
 * smarthost:quota:&lt;counter key&gt;      integer; expires at the end of its quota window plus one hour
 * </pre>
 * Nothing else is written; nothing needs persisting (losing Redis forgets POP logins and resets quotas).
 * Needs Redis 5 or later (tested with Debian's {@code redis-server} 7.0).
 *
 * <h2>Failures</h2>
 * Redis is contacted on first use, not at start-up, so James starts even when Redis is down. A command that
 * fails (Redis down, timeout, wrong password, pool exhausted) throws {@link RedisStateException} naming the
 * backend, the operation and the cause; the pack answers {@code 451 4.3.0} and relays nothing on that decision
 * (fail closed). The pool reconnects by itself once Redis is back.
 */
public final class RedisRelayStateBackend implements RelayStateBackend, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRelayStateBackend.class);

    private final RedisSettings settings;
    private final RedisClient redis;
    private PopAuthStore popAuthStore;
    private QuotaCounter quotaCounter;

    /**
     * Reads the URI (see the class documentation) and prepares the pool; does not connect yet.
     *
     * @throws IllegalArgumentException naming the part of the URI that is wrong and what was expected
     */
    public RedisRelayStateBackend(URI uri) {
        this.settings = RedisSettings.parse(Objects.requireNonNull(uri, "uri"));
        this.redis = new RedisClient(settings);
        LOG.info("relay state backend {} (timeout {} ms, pool {})", settings.describe(), settings.timeout().toMillis(),
                settings.pool());
    }

    /** {@code redis://HOST:PORT/DB}, without credentials. */
    @Override
    public String describe() {
        return settings.describe();
    }

    /**
     * The shared SMTP-after-POP store; the first caller's window supplier is used (read at every call). The
     * stores of every node on the same Redis database see the same logins.
     */
    @Override
    public synchronized PopAuthStore popAuthStore(Supplier<Duration> window) {
        if (popAuthStore == null) {
            popAuthStore = new RedisPopAuthStore(redis, Objects.requireNonNull(window, "window"));
        }
        return popAuthStore;
    }

    /** The shared quota counters. {@code clock} is not used: Redis expires counters by its own clock. */
    @Override
    public synchronized QuotaCounter quotaCounter(Clock clock) {
        if (quotaCounter == null) {
            quotaCounter = new RedisQuotaCounter(redis);
        }
        return quotaCounter;
    }

    /**
     * Checks that Redis answers (PING), for start-up logs and {@code smarthost-cli}.
     *
     * @throws RedisStateException when it does not
     */
    public void ping() {
        String pong = redis.call("ping", j -> j.ping());
        if (!"PONG".equals(pong)) {
            throw redis.failure("ping", new IllegalStateException("unexpected reply '" + pong + "'"));
        }
    }

    /** Closes the connection pool; the stores of this backend fail afterwards. */
    @Override
    public void close() {
        redis.close();
    }

    @Override
    public String toString() {
        return describe();
    }
}
