package org.jsmarthost.core.relay;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory {@link QuotaCounter} for a single James node: thread-safe (atomic per key), expiry by the injected
 * {@link Clock}. Expired counters read as 0 and are purged on writes.
 */
public final class InMemoryQuotaCounter implements QuotaCounter {
    private static final class Counter {
        final long value;
        final Instant expiresAt;

        Counter(long value, Instant expiresAt) {
            this.value = value;
            this.expiresAt = expiresAt;
        }
    }

    private final Clock clock;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile Instant nextPurge = Instant.MIN;

    public InMemoryQuotaCounter(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public long addAndGet(String key, long delta, Instant expiresAt) {
        Instant now = clock.instant();
        purge(now);
        Counter c = counters.compute(key, (k, old) -> {
            if (old == null || !old.expiresAt.isAfter(now)) {
                return new Counter(delta, expiresAt);
            }
            return new Counter(old.value + delta, old.expiresAt.isAfter(expiresAt) ? old.expiresAt : expiresAt);
        });
        return c.value;
    }

    @Override
    public long get(String key) {
        Counter c = counters.get(key);
        return c == null || !c.expiresAt.isAfter(clock.instant()) ? 0 : c.value;
    }

    @Override
    public int reset(String prefix) {
        int[] n = {0};
        counters.keySet().removeIf(k -> {
            boolean match = k.startsWith(prefix);
            if (match) {
                n[0]++;
            }
            return match;
        });
        return n[0];
    }

    /** Number of live counters (for tests and diagnostics). */
    int size() {
        return counters.size();
    }

    private void purge(Instant now) {
        if (now.isAfter(nextPurge)) {
            nextPurge = now.plusSeconds(60);
            counters.values().removeIf(c -> !c.expiresAt.isAfter(now));
        }
    }
}
