package org.jsmarthost.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jsmarthost.core.relay.Decision;
import org.jsmarthost.core.relay.Identity;
import org.jsmarthost.core.relay.PolicyException;
import org.jsmarthost.core.relay.PopAuthStore;
import org.jsmarthost.core.relay.QuotaCounter;
import org.jsmarthost.core.relay.RelayPolicy;
import org.jsmarthost.core.relay.RelayStateBackend;
import org.jsmarthost.core.relay.RelayStateBackends;
import org.jsmarthost.core.relay.SendQuotas;
import org.jsmarthost.core.relay.TrustedNetworks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.Jedis;

/** Two backends ("two James nodes") on one real Redis share POP logins and quota counters. */
class RedisSharedStateTest {
    static RedisServer server;
    RedisRelayStateBackend node1;
    RedisRelayStateBackend node2;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        server.close();
    }

    @BeforeEach
    void twoNodes() {
        try (Jedis j = server.raw(0)) {
            j.flushAll();
        }
        node1 = new RedisRelayStateBackend(URI.create(server.uri(0)));
        node2 = new RedisRelayStateBackend(URI.create(server.uri(0)));
    }

    @AfterEach
    void closeNodes() {
        node1.close();
        node2.close();
    }

    static RelayPolicy policy(String text) {
        try {
            return RelayPolicy.parse(text, "shared.conf", null);
        } catch (PolicyException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void popLoginOnOneNodeOpensRelayingOnTheOther() {
        InetAddress client = TrustedNetworks.parseAddress("127.0.0.7");
        PopAuthStore pop1 = node1.popAuthStore(() -> Duration.ofMinutes(30));
        PopAuthStore pop2 = node2.popAuthStore(() -> Duration.ofMinutes(30));
        Instant now = Instant.now();

        assertThat(pop2.lookup(client, now)).isEmpty();
        pop1.record(client, "alice@example.org", now);
        assertThat(pop2.lookup(client, now.plusSeconds(1))).contains("alice@example.org");
        pop2.record(TrustedNetworks.parseAddress("::ffff:127.0.0.8"), "bob@example.org", now.plusSeconds(2));
        assertThat(pop1.list(now.plusSeconds(3))).extracting(PopAuthStore.Entry::toString).hasSize(2)
                .first().asString().startsWith("127.0.0.7 alice@example.org");
        assertThat(pop1.lookup(TrustedNetworks.parseAddress("127.0.0.8"), now.plusSeconds(3))).contains("bob@example.org");
        assertThat(pop1.lookup(client, now.plus(Duration.ofMinutes(30)))).isEmpty();
    }

    @Test
    void countersAreSharedAndResetFromEitherNode() {
        QuotaCounter q1 = node1.quotaCounter(Clock.systemUTC());
        QuotaCounter q2 = node2.quotaCounter(Clock.systemUTC());
        Instant deadline = Instant.now().plus(Duration.ofHours(1));
        assertThat(q1.addAndGet("quota|i|alice@example.org|m|h|0", 1, deadline)).isEqualTo(1);
        assertThat(q2.addAndGet("quota|i|alice@example.org|m|h|0", 1, deadline)).isEqualTo(2);
        assertThat(q1.get("quota|i|alice@example.org|m|h|0")).isEqualTo(2);
        assertThat(q2.reset("quota|i|alice@example.org|")).isEqualTo(1);
        assertThat(q1.get("quota|i|alice@example.org|m|h|0")).isZero();
    }

    @Test
    void concurrentIncrementsOnTwoNodesNeverOvershoot() throws Exception {
        QuotaCounterContract.concurrentIncrementsToALimit(
                List.of(node1.quotaCounter(Clock.systemUTC()), node2.quotaCounter(Clock.systemUTC())), 8, 400);
    }

    @Test
    void sendQuotaLimitIsReachedAcrossBothNodes() {
        RelayPolicy policy = policy("quota_identity_default = messages_per_hour=5, recipients_per_hour=unlimited\n");
        SendQuotas quotas1 = new SendQuotas(node1.quotaCounter(Clock.systemUTC()), () -> policy);
        SendQuotas quotas2 = new SendQuotas(node2.quotaCounter(Clock.systemUTC()), () -> policy);
        Identity alice = Identity.auth("alice@example.org");
        Instant now = Instant.now();

        for (int i = 0; i < 5; i++) {
            SendQuotas node = i % 2 == 0 ? quotas1 : quotas2;
            assertThat(node.consumeMessage(alice, "example.org", now).isAllowed()).as("message %d", i + 1).isTrue();
        }
        Decision sixthOn1 = quotas1.consumeMessage(alice, "example.org", now);
        Decision sixthOn2 = quotas2.consumeMessage(alice, "example.org", now);
        assertThat(sixthOn1.isAllowed()).isFalse();
        assertThat(sixthOn2.isAllowed()).isFalse();
        assertThat(sixthOn2.reply()).startsWith("451 4.7.1 Send quota exceeded: identity alice@example.org may send 5 "
                + "messages per hour; try again after ").endsWith("[rule quota.identity.messages-per-hour]");
        assertThat(quotas1.usage(SendQuotas.Scope.IDENTITY, "alice@example.org", now).messagesHour()).isEqualTo(5);
        assertThat(quotas1.consumeMessage(Identity.auth("bob@example.org"), "example.org", now).isAllowed()).isTrue();

        assertThat(quotas2.reset(SendQuotas.Scope.IDENTITY, "alice@example.org")).isEqualTo(1);
        assertThat(quotas1.consumeMessage(alice, "example.org", now).isAllowed()).isTrue();
    }

    @Test
    void databasesSeparateClusters() {
        try (RedisRelayStateBackend other = new RedisRelayStateBackend(URI.create(server.uri(1)))) {
            Instant deadline = Instant.now().plus(Duration.ofHours(1));
            node1.quotaCounter(Clock.systemUTC()).addAndGet("k", 3, deadline);
            assertThat(other.quotaCounter(Clock.systemUTC()).get("k")).isZero();
            other.quotaCounter(Clock.systemUTC()).addAndGet("k", 1, deadline);
            assertThat(node2.quotaCounter(Clock.systemUTC()).get("k")).isEqualTo(3);
            try (Jedis j = server.raw(1)) {
                assertThat(j.get("smarthost:quota:k")).isEqualTo("1");
            }
        }
    }

    @Test
    void coreLoadsThisBackendByItsSpecification() {
        String spec = server.uri(2);
        RelayStateBackend shared = RelayStateBackends.shared(spec);
        assertThat(shared).isInstanceOf(RedisRelayStateBackend.class).isSameAs(RelayStateBackends.shared(spec));
        assertThat(shared.describe()).isEqualTo(spec);
        PopAuthStore store = shared.popAuthStore(() -> Duration.ofMinutes(30));
        assertThat(shared.popAuthStore(() -> Duration.ZERO)).isSameAs(store);
        assertThat(shared.quotaCounter(Clock.systemUTC())).isSameAs(shared.quotaCounter(Clock.systemUTC()));
        store.record(TrustedNetworks.parseAddress("127.0.0.9"), "carol@example.org", Instant.now());
        try (Jedis j = server.raw(2)) {
            assertThat(j.hget("smarthost:pop:127.0.0.9", "login")).isEqualTo("carol@example.org");
        }
    }

    @Test
    void passwordProtectedRedisAndDescribeWithoutCredentials() throws Exception {
        try (RedisServer secured = RedisServer.start("--requirepass", "s3cr3t-pw");
             RedisRelayStateBackend ok = new RedisRelayStateBackend(
                     URI.create("redis://:s3cr3t-pw@127.0.0.1:" + secured.port() + "/0?timeout=2000&pool=4"));
             RedisRelayStateBackend acl = new RedisRelayStateBackend(
                     URI.create("redis://default:s3cr3t-pw@127.0.0.1:" + secured.port() + "/0"))) {
            assertThat(ok.describe()).isEqualTo("redis://127.0.0.1:" + secured.port() + "/0").doesNotContain("s3cr3t");
            ok.ping();
            ok.quotaCounter(Clock.systemUTC()).addAndGet("k", 2, Instant.now().plusSeconds(60));
            assertThat(acl.quotaCounter(Clock.systemUTC()).get("k")).isEqualTo(2);
            assertThat(secured.cli("-a", "s3cr3t-pw", "--no-auth-warning", "GET", "smarthost:quota:k").trim()).isEqualTo("2");
        }
    }
}
