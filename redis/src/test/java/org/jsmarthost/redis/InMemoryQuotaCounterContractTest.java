package org.jsmarthost.redis;

import java.time.Duration;
import java.time.Instant;

import org.jsmarthost.core.relay.InMemoryQuotaCounter;
import org.jsmarthost.core.relay.QuotaCounter;

/** Core's in-memory counter against the shared contract (the reference the Redis counter must match). */
class InMemoryQuotaCounterContractTest extends QuotaCounterContract {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-28T10:15:00Z"));
    private final InMemoryQuotaCounter counter = new InMemoryQuotaCounter(clock);

    @Override
    protected QuotaCounter counter() {
        return counter;
    }

    @Override
    protected Instant now() {
        return clock.instant();
    }

    @Override
    protected void advance(Duration d) {
        clock.advance(d);
    }
}
