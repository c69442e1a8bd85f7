package org.jsmarthost.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jsmarthost.core.relay.PopAuthStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.Jedis;

/** The Redis store against the shared contract, on a real redis-server. */
class RedisPopAuthStoreContractTest extends PopAuthStoreContract {
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
    protected PopAuthStore store(Supplier<Duration> window) {
        RedisRelayStateBackend b = new RedisRelayStateBackend(URI.create(server.uri(0)));
        backends.add(b);
        return b.popAuthStore(window);
    }

    @Test
    void oneHashPerClientExpiringAfterTheWindow() throws Exception {
        window.set(Duration.ofMinutes(30));
        Instant when = Instant.parse("2026-11-28T10:00:00.123456789Z");
        store().record(CLIENT, "alice@example.org", when);
        try (Jedis j = server.raw(0)) {
            assertThat(j.keys("*")).containsExactly("smarthost:pop:127.0.0.7");
            assertThat(j.hgetAll("smarthost:pop:127.0.0.7")).isEqualTo(Map.of("sec", Long.toString(when.getEpochSecond()),
                    "nano", "123456789", "login", "alice@example.org"));
            assertThat(j.pttl("smarthost:pop:127.0.0.7")).isBetween(Duration.ofMinutes(29).toMillis(),
                    Duration.ofMinutes(30).toMillis());
        }
        // an independent client sees the same
        assertThat(server.cli("HGET", "smarthost:pop:127.0.0.7", "login").trim()).isEqualTo("alice@example.org");
    }

    @Test
    void expiredLoginIsGoneFromRedis() throws Exception {
        window.set(Duration.ofMillis(800));
        store().record(CLIENT, "alice@example.org", Instant.now());
        Thread.sleep(1100);
        try (Jedis j = server.raw(0)) {
            assertThat(j.exists("smarthost:pop:127.0.0.7")).isFalse();
        }
    }

    @Test
    void whileTheWindowIsZeroNothingIsRecorded() {
        window.set(Duration.ZERO);
        PopAuthStore store = store();
        store.record(CLIENT, "alice@example.org", T0);
        window.set(Duration.ofMinutes(30));
        assertThat(store.lookup(CLIENT, T0)).isEmpty();
        try (Jedis j = server.raw(0)) {
            assertThat(j.dbSize()).isZero();
        }
    }

    @Test
    void foreignOrDamagedEntriesNeverOpenRelaying() {
        PopAuthStore store = store();
        try (Jedis j = server.raw(0)) {
            j.hset("smarthost:pop:127.0.0.7", Map.of("sec", "not-a-number", "nano", "0", "login", "mallory@example.org"));
            j.hset("smarthost:pop:127.0.0.8", Map.of("login", "mallory@example.org"));
        }
        assertThat(store.lookup(CLIENT, T0)).isEmpty();
        assertThat(store.lookup(OTHER, T0)).isEmpty();
        assertThat(store.list(T0)).isEmpty();
    }
}
