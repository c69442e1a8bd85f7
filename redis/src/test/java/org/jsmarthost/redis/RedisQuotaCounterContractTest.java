package org.jsmarthost.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.jsmarthost.core.relay.QuotaCounter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.Jedis;

/** The Redis counter against the shared contract, on a real redis-server; expiry is Redis's, in real time. */
class RedisQuotaCounterContractTest extends QuotaCounterContract {
    static RedisServer server;
    final List<RedisRelayStateBackend> backends = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        server.close();
    }

    @BeforeEach
    void emptyDatabase() {
        try (Jedis j = server.raw(0)) {
            j.flushAll();
        }
    }

    @AfterEach
    void closeBackends() {
        backends.forEach(RedisRelayStateBackend::close);
    }

    @Override
    protected QuotaCounter counter() {
        RedisRelayStateBackend b = new RedisRelayStateBackend(URI.create(server.uri(0)));
        backends.add(b);
        return b.quotaCounter(Clock.systemUTC());
    }

    @Override
    protected Instant now() {
        return Instant.now();
    }

    @Override
    protected void advance(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    @Test
    void keysAreNamespacedIntegersWithRedisExpiry() throws Exception {
        QuotaCounter c = counter();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MILLIS);
        c.addAndGet("quota|i|alice@example.org|m|h|1800", 4, deadline);
        // read back with redis-cli, an independent client
        assertThat(server.cli("GET", "smarthost:quota:quota|i|alice@example.org|m|h|1800").trim()).isEqualTo("4");
        long expireAt = Long.parseLong(server.cli("PEXPIRETIME", "smarthost:quota:quota|i|alice@example.org|m|h|1800").trim());
        assertThat(expireAt).isEqualTo(deadline.toEpochMilli());
        assertThat(server.cli("KEYS", "*").trim()).isEqualTo("smarthost:quota:quota|i|alice@example.org|m|h|1800");
        // a deadline between two milliseconds is rounded up, never down
        c.addAndGet("sub-ms", 1, deadline.plusSeconds(60).plusNanos(1));
        assertThat(Long.parseLong(server.cli("PEXPIRETIME", "smarthost:quota:sub-ms").trim()))
                .isEqualTo(deadline.plusSeconds(60).toEpochMilli() + 1);
    }

    @Test
    void expiredCountersAreGoneFromRedisNotJustHidden() throws Exception {
        QuotaCounter c = counter();
        c.addAndGet("short", 1, Instant.now().plus(SHORT));
        advance(PAST_SHORT);
        try (Jedis j = server.raw(0)) {
            assertThat(j.exists("smarthost:quota:short")).isFalse();
        }
    }
}
