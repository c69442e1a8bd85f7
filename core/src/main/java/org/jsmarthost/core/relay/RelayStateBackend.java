package org.jsmarthost.core.relay;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Where the relay policy keeps its state: SMTP-after-POP logins and send-quota counters. One backend serves
 * every listener, hook and POP3 handler of a node; with a shared backend (Redis) several James nodes see the
 * same logins and counters. Obtain it with {@link RelayStateBackends#shared(String)}.
 */
public interface RelayStateBackend {
    /** For logs and {@code smarthost-cli}: e.g. {@code memory} or {@code redis://127.0.0.1:6379}. */
    String describe();

    /**
     * The SMTP-after-POP store. The first caller's {@code window} (normally read from the current policy) is the
     * one used; later callers get the same store.
     */
    PopAuthStore popAuthStore(Supplier<Duration> window);

    /** The send-quota counters; the first caller's clock is the one used by an in-memory backend. */
    QuotaCounter quotaCounter(Clock clock);
}
