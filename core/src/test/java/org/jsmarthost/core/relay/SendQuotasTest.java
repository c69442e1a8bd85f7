package org.jsmarthost.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SendQuotasTest {
    static final Instant T0 = Instant.parse("2026-11-28T10:15:00Z");
    static final Identity ALICE = Identity.auth("alice@example.org");
    static final Identity BOB = Identity.auth("bob@example.org");

    final MutableClock clock = new MutableClock(T0);
    final InMemoryQuotaCounter counter = new InMemoryQuotaCounter(clock);
    final AtomicReference<RelayPolicy> policy = new AtomicReference<>(policy(
            "quota_identity_default = messages_per_hour=3, messages_per_day=5, recipients_per_hour=4,"
            + " recipients_per_day=6\n"
            + "quota_domain_default = messages_per_hour=unlimited\n"
            + "quota_domain example.org = recipients_per_day=8\n"
            + "quota_identity bulk@example.org = messages_per_day=unlimited, messages_per_hour=unlimited\n"));
    final SendQuotas quotas = new SendQuotas(counter, policy::get);

    static RelayPolicy policy(String text) {
        try {
            return RelayPolicy.parse(text, "q.conf", null);
        } catch (PolicyException e) {
            throw new IllegalStateException(e);
        }
    }

    Decision message(Identity id) {
        return quotas.consumeMessage(id, "example.org", clock.instant());
    }

    @Test
    void messagesPerHourThenResetAtTheNextClockHour() {
        for (int i = 0; i < 3; i++) {
            assertThat(message(ALICE).ruleId()).isEqualTo("quota.ok");
        }
        Decision d = message(ALICE);
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.TEMPFAIL);
        assertThat(d.reply()).isEqualTo("451 4.7.1 Send quota exceeded: identity alice@example.org may send 3 messages"
                + " per hour; try again after 2026-11-28T11:00:00Z [rule quota.identity.messages-per-hour]");
        assertThat(message(BOB).isAllowed()).as("other identities are not affected").isTrue();
        clock.set(Instant.parse("2026-11-28T10:59:59Z"));
        assertThat(message(ALICE).isRefused()).isTrue();
        clock.set(Instant.parse("2026-11-28T11:00:00Z"));
        assertThat(message(ALICE).isAllowed()).isTrue();
        assertThat(message(ALICE).isAllowed()).isTrue();
        Decision day = message(ALICE);
        assertThat(day.reply()).isEqualTo("451 4.7.1 Send quota exceeded: identity alice@example.org may send 5 messages"
                + " per day; try again after 2026-11-29T00:00:00Z [rule quota.identity.messages-per-day]");
        clock.set(Instant.parse("2026-11-29T00:00:00Z"));
        assertThat(message(ALICE).isAllowed()).isTrue();
    }

    @Test
    void refusedConsumptionIsRolledBack() {
        assertThat(quotas.consumeRecipients(ALICE, "example.org", 3, T0).isAllowed()).isTrue();
        Decision d = quotas.consumeRecipients(ALICE, "example.org", 2, T0);
        assertThat(d.reply()).isEqualTo("452 4.7.1 Send quota exceeded: identity alice@example.org may send to 4"
                + " recipients per hour; try again after 2026-11-28T11:00:00Z [rule quota.identity.recipients-per-hour]");
        SendQuotas.Usage u = quotas.usage(SendQuotas.Scope.IDENTITY, "alice@example.org", T0);
        assertThat(u.recipientsHour()).isEqualTo(3);
        assertThat(u.recipientsDay()).isEqualTo(3);
        assertThat(quotas.usage(SendQuotas.Scope.DOMAIN, "example.org", T0).recipientsDay()).isEqualTo(3);
        assertThat(quotas.consumeRecipients(ALICE, "example.org", 1, T0).isAllowed()).isTrue();
        assertThat(quotas.consumeRecipients(ALICE, "example.org", 1, T0).isRefused()).isTrue();
    }

    @Test
    void senderDomainLimitCoversAllIdentities() {
        Identity carol = Identity.auth("carol@example.org");
        assertThat(quotas.consumeRecipients(ALICE, "example.org", 4, T0).isAllowed()).isTrue();
        assertThat(quotas.consumeRecipients(BOB, "example.org", 4, T0).isAllowed()).isTrue();
        Decision d = quotas.consumeRecipients(carol, "Example.ORG", 1, T0);
        assertThat(d.ruleId()).isEqualTo("quota.domain.recipients-per-day");
        assertThat(d.text()).contains("domain example.org may send to 8 recipients per day")
                .contains("2026-11-29T00:00:00Z");
        // the refused call did not count for carol either
        assertThat(quotas.usage(SendQuotas.Scope.IDENTITY, "carol@example.org", T0).recipientsHour()).isZero();
        // another domain is unaffected (default domain limits: none on recipients)
        assertThat(quotas.consumeRecipients(carol, "example.net", 1, T0).isAllowed()).isTrue();
        // a bounce (null sender) only counts for the identity
        assertThat(quotas.consumeRecipients(carol, null, 1, T0).isAllowed()).isTrue();
    }

    @Test
    void perIdentityOverrideAndTrustedNetworkIdentity() {
        Identity bulk = Identity.auth("Bulk@example.org");
        for (int i = 0; i < 50; i++) {
            assertThat(quotas.consumeMessage(bulk, "example.net", T0).isAllowed()).isTrue();
        }
        Identity net = Identity.trustedNetwork(TrustedNetworks.parseAddress("::ffff:127.0.0.9"));
        assertThat(net.name()).isEqualTo("ip:127.0.0.9");
        for (int i = 0; i < 3; i++) {
            assertThat(quotas.consumeMessage(net, "example.net", T0).isAllowed()).isTrue();
        }
        assertThat(quotas.consumeMessage(net, "example.net", T0).text()).contains("identity ip:127.0.0.9 may send 3");
    }

    @Test
    void policyReloadChangesLimitsAtOnce() {
        for (int i = 0; i < 3; i++) {
            message(ALICE);
        }
        assertThat(message(ALICE).isRefused()).isTrue();
        policy.set(policy("quota_identity_default = messages_per_hour=10"));
        assertThat(message(ALICE).isAllowed()).isTrue();
        policy.set(RelayPolicy.defaults());
        for (int i = 0; i < 100; i++) {
            assertThat(message(ALICE).isAllowed()).isTrue();
        }
    }

    @Test
    void zeroLimitBlocksAndZeroAmountIsFree() {
        policy.set(policy("quota_identity alice@example.org = recipients_per_hour=0"));
        assertThat(quotas.consumeRecipients(ALICE, "example.org", 0, T0).isAllowed()).isTrue();
        assertThat(quotas.consumeRecipients(ALICE, "example.org", 1, T0).code()).isEqualTo(452);
        assertThat(quotas.consumeRecipients(BOB, "example.org", 1, T0).isAllowed()).isTrue();
    }

    @Test
    void resetForgetsOneSubjectOnly() {
        for (int i = 0; i < 3; i++) {
            message(ALICE);
            message(BOB);
        }
        assertThat(quotas.reset(SendQuotas.Scope.IDENTITY, "ALICE@example.org")).isEqualTo(2);
        assertThat(message(ALICE).isAllowed()).isTrue();
        assertThat(message(BOB).isRefused()).isTrue();
    }

    @Test
    void keysSeparateSimilarNames() {
        Identity a = Identity.trustedNetwork(TrustedNetworks.parseAddress("::1"));
        Identity b = Identity.trustedNetwork(TrustedNetworks.parseAddress("::1:0"));
        for (int i = 0; i < 3; i++) {
            message(b);
        }
        quotas.reset(SendQuotas.Scope.IDENTITY, a.name());
        assertThat(message(b).isRefused()).as("reset of ip:::1 must not touch ip:::1:0").isTrue();
        assertThat(SendQuotas.key(SendQuotas.Scope.IDENTITY, "a|b%c", false, true, Instant.EPOCH))
                .isEqualTo("quota|i|a%7Cb%25c|m|d|0");
    }

    @Test
    void expiredCountersArePurged() {
        message(ALICE);
        assertThat(counter.size()).isEqualTo(2);
        clock.set(Instant.parse("2026-11-30T00:00:00Z"));
        message(BOB);
        assertThat(counter.size()).isEqualTo(2);
        assertThat(quotas.usage(SendQuotas.Scope.IDENTITY, "alice@example.org", clock.instant()).messagesDay()).isZero();
    }

    @Test
    void concurrentConsumersNeverExceedTheLimit() throws Exception {
        policy.set(policy("quota_identity_default = recipients_per_day=1000"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                int ok = 0;
                for (int i = 0; i < 400; i++) {
                    if (quotas.consumeRecipients(ALICE, "example.org", 1, T0).isAllowed()) {
                        ok++;
                    }
                }
                return ok;
            }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : futures) {
            total += f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(total).isEqualTo(1000);
        assertThat(quotas.usage(SendQuotas.Scope.IDENTITY, "alice@example.org", T0).recipientsDay()).isEqualTo(1000);
    }

    @Test
    void windowBoundariesAreUtcHoursAndDays() {
        assertThat(SendQuotas.windowStart(Instant.parse("2026-11-28T23:59:59Z"), false))
                .isEqualTo(Instant.parse("2026-11-28T23:00:00Z"));
        assertThat(SendQuotas.windowStart(Instant.parse("2026-11-28T23:59:59Z"), true))
                .isEqualTo(Instant.parse("2026-11-28T00:00:00Z"));
        assertThat(SendQuotas.windowStart(Instant.parse("1969-12-31T23:30:00Z"), false))
                .isEqualTo(Instant.parse("1969-12-31T23:00:00Z"));
        clock.advance(Duration.ZERO);
    }
}
