package org.jsmarthost.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InMemoryPopAuthStoreTest {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final InetAddress CLIENT = TrustedNetworks.parseAddress("127.0.0.7");
    static final InetAddress OTHER = TrustedNetworks.parseAddress("127.0.0.8");

    final AtomicReference<Duration> window = new AtomicReference<>(Duration.ofMinutes(30));
    final InMemoryPopAuthStore store = new InMemoryPopAuthStore(window::get);

    @Test
    void loginOpensRelayingForTheWindowOnly() {
        store.record(CLIENT, "Alice@Example.org", T0);
        assertThat(store.lookup(CLIENT, T0)).contains("alice@example.org");
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(29)).plusSeconds(59))).contains("alice@example.org");
        assertThat(store.lookup(OTHER, T0.plusSeconds(1))).isEmpty();
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(30)))).isEmpty();
        assertThat(store.list(T0.plus(Duration.ofMinutes(31)))).isEmpty();
    }

    @Test
    void entryFromTheFutureIsNotValidYet() {
        store.record(CLIENT, "alice@example.org", T0);
        assertThat(store.lookup(CLIENT, T0.minusSeconds(1))).isEmpty();
        assertThat(store.lookup(CLIENT, T0)).contains("alice@example.org");
    }

    @Test
    void newerLoginReplacesAndExtends() {
        store.record(CLIENT, "alice@example.org", T0);
        store.record(CLIENT, "bob@example.org", T0.plus(Duration.ofMinutes(20)));
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(45)))).contains("bob@example.org");
        // an older record arriving late does not win
        store.record(CLIENT, "carol@example.org", T0.plus(Duration.ofMinutes(10)));
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(21)))).contains("bob@example.org");
    }

    @Test
    void ipv4MappedIsTheSameClient() {
        store.record(TrustedNetworks.parseAddress("::ffff:127.0.0.7"), "alice@example.org", T0);
        assertThat(store.lookup(CLIENT, T0.plusSeconds(5))).contains("alice@example.org");
        store.record(TrustedNetworks.parseAddress("::1"), "bob@example.org", T0);
        assertThat(store.lookup(TrustedNetworks.parseAddress("0:0:0:0:0:0:0:1"), T0)).contains("bob@example.org");
    }

    @Test
    void windowChangesApplyImmediatelyAndZeroDisables() {
        store.record(CLIENT, "alice@example.org", T0);
        window.set(Duration.ofMinutes(5));
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(6)))).isEmpty();
        store.record(CLIENT, "alice@example.org", T0.plus(Duration.ofMinutes(7)));
        window.set(Duration.ZERO);
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(7)))).isEmpty();
        assertThat(store.list(T0.plus(Duration.ofMinutes(7)))).isEmpty();
    }

    @Test
    void listShowsValidEntriesOldestFirstWithExpiry() {
        store.record(OTHER, "bob@example.org", T0.plusSeconds(60));
        store.record(CLIENT, "alice@example.org", T0);
        store.record(TrustedNetworks.parseAddress("127.0.0.9"), "old@example.org", T0.minus(Duration.ofHours(1)));
        assertThat(store.list(T0.plusSeconds(120))).extracting(Object::toString).containsExactly(
                "127.0.0.7 alice@example.org 2026-11-28T10:00:00Z expires 2026-11-28T10:30:00Z",
                "127.0.0.8 bob@example.org 2026-11-28T10:01:00Z expires 2026-11-28T10:31:00Z");
    }

    @Test
    void decisionWithExpiredPopLoginNoLongerRelays() {
        RelayDecider decider = new RelayDecider(() -> RelayDeciderTest.policy(RelayDeciderTest.POLICY),
                RelayDeciderTest.LOCAL, RelayDeciderTest.RRT);
        InetAddress client = TrustedNetworks.parseAddress("127.0.1.5");
        store.record(client, "alice@example.org", T0);
        for (int minutes : new int[] {0, 29, 30, 31}) {
            Instant now = T0.plus(Duration.ofMinutes(minutes));
            ClientContext ctx = ClientContext.builder(client).popLogin(store.lookup(client, now).orElse(null)).build();
            Decision d = decider.checkRecipient(ctx, "<alice@example.org>", "<friend@foreign.example>");
            assertThat(d.ruleId()).as("after %d minutes", minutes)
                    .isEqualTo(minutes < 30 ? "outbound.pop-before-smtp" : "outbound.relay-denied");
        }
    }
}
