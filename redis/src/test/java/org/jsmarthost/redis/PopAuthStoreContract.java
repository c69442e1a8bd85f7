package org.jsmarthost.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.jsmarthost.core.relay.PopAuthStore;
import org.jsmarthost.core.relay.TrustedNetworks;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link PopAuthStore} must have (the cases of core's InMemoryPopAuthStoreTest and more):
 * run against core's in-memory store and against the Redis store. Times are the callers', so fixed instants work
 * for both; only {@link #expiresInRealTime} waits.
 */
abstract class PopAuthStoreContract {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final InetAddress CLIENT = TrustedNetworks.parseAddress("127.0.0.7");
    static final InetAddress OTHER = TrustedNetworks.parseAddress("127.0.0.8");

    final AtomicReference<Duration> window = new AtomicReference<>(Duration.ofMinutes(30));

    /** A fresh, empty store reading its window from {@code window}; later calls share the same entries. */
    protected abstract PopAuthStore store(Supplier<Duration> window);

    PopAuthStore store() {
        return store(window::get);
    }

    @Test
    void loginOpensRelayingForTheWindowOnly() {
        PopAuthStore store = store();
        store.record(CLIENT, "Alice@Example.org", T0);
        assertThat(store.lookup(CLIENT, T0)).contains("alice@example.org");
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(29)).plusSeconds(59))).contains("alice@example.org");
        assertThat(store.lookup(OTHER, T0.plusSeconds(1))).isEmpty();
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(30)))).isEmpty();
        assertThat(store.list(T0.plus(Duration.ofMinutes(31)))).isEmpty();
    }

    @Test
    void entryFromTheFutureIsNotValidYet() {
        PopAuthStore store = store();
        store.record(CLIENT, "alice@example.org", T0);
        assertThat(store.lookup(CLIENT, T0.minusSeconds(1))).isEmpty();
        assertThat(store.lookup(CLIENT, T0.minusNanos(1))).isEmpty();
        assertThat(store.lookup(CLIENT, T0)).contains("alice@example.org");
    }

    @Test
    void newerLoginReplacesAndExtends() {
        PopAuthStore store = store();
        store.record(CLIENT, "alice@example.org", T0);
        store.record(CLIENT, "bob@example.org", T0.plus(Duration.ofMinutes(20)));
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(45)))).contains("bob@example.org");
        // an older record arriving late does not win
        store.record(CLIENT, "carol@example.org", T0.plus(Duration.ofMinutes(10)));
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(21)))).contains("bob@example.org");
        // same instant: the last one wins; nanoseconds count
        store.record(CLIENT, "dave@example.org", T0.plus(Duration.ofMinutes(20)));
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(21)))).contains("dave@example.org");
        store.record(CLIENT, "erin@example.org", T0.plus(Duration.ofMinutes(20)).minusNanos(1));
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(21)))).contains("dave@example.org");
        store.record(CLIENT, "fred@example.org", T0.plus(Duration.ofMinutes(20)).plusNanos(1));
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(21)))).contains("fred@example.org");
    }

    @Test
    void ipv4MappedIsTheSameClient() {
        PopAuthStore store = store();
        store.record(TrustedNetworks.parseAddress("::ffff:127.0.0.7"), "alice@example.org", T0);
        assertThat(store.lookup(CLIENT, T0.plusSeconds(5))).contains("alice@example.org");
        store.record(TrustedNetworks.parseAddress("::1"), "bob@example.org", T0);
        assertThat(store.lookup(TrustedNetworks.parseAddress("0:0:0:0:0:0:0:1"), T0)).contains("bob@example.org");
        assertThat(store.list(T0)).extracting(PopAuthStore.Entry::client).containsExactly("127.0.0.7", "::1");
    }

    @Test
    void windowChangesApplyImmediatelyAndZeroDisables() {
        PopAuthStore store = store();
        store.record(CLIENT, "alice@example.org", T0);
        window.set(Duration.ofMinutes(5));
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(6)))).isEmpty();
        assertThat(store.list(T0.plus(Duration.ofMinutes(6)))).isEmpty();
        store.record(CLIENT, "alice@example.org", T0.plus(Duration.ofMinutes(7)));
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(11)))).contains("alice@example.org");
        window.set(Duration.ZERO);
        assertThat(store.lookup(CLIENT, T0.plus(Duration.ofMinutes(7)))).isEmpty();
        assertThat(store.list(T0.plus(Duration.ofMinutes(7)))).isEmpty();
    }

    @Test
    void listShowsValidEntriesOldestFirstWithExpiry() {
        PopAuthStore store = store();
        store.record(OTHER, "bob@example.org", T0.plusSeconds(60));
        store.record(CLIENT, "alice@example.org", T0);
        store.record(TrustedNetworks.parseAddress("127.0.0.9"), "old@example.org", T0.minus(Duration.ofHours(1)));
        assertThat(store.list(T0.plusSeconds(120))).extracting(Object::toString).containsExactly(
                "127.0.0.7 alice@example.org 2026-11-28T10:00:00Z expires 2026-11-28T10:30:00Z",
                "127.0.0.8 bob@example.org 2026-11-28T10:01:00Z expires 2026-11-28T10:31:00Z");
    }

    @Test
    void sameTimeIsOrderedByClientAndIpv6IsCanonical() {
        PopAuthStore store = store();
        store.record(TrustedNetworks.parseAddress("2001:db8:0:0:0:0:0:2"), "v6@example.org", T0);
        store.record(TrustedNetworks.parseAddress("127.0.0.20"), "b@example.org", T0);
        store.record(TrustedNetworks.parseAddress("127.0.0.10"), "a@example.org", T0);
        List<PopAuthStore.Entry> list = store.list(T0);
        assertThat(list).extracting(PopAuthStore.Entry::client).containsExactly("127.0.0.10", "127.0.0.20", "2001:db8::2");
        assertThat(list).extracting(PopAuthStore.Entry::login).containsExactly("a@example.org", "b@example.org", "v6@example.org");
        assertThat(list.get(0).when()).isEqualTo(T0);
        assertThat(list.get(0).expires()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        assertThat(store.lookup(TrustedNetworks.parseAddress("2001:DB8::2"), T0)).contains("v6@example.org");
    }

    @Test
    void loginIsTrimmedAndLowerCased() {
        PopAuthStore store = store();
        store.record(CLIENT, "  Alice@EXAMPLE.Org ", T0);
        assertThat(store.lookup(CLIENT, T0)).contains("alice@example.org");
    }

    @Test
    void listPagesThroughManyClients() {
        PopAuthStore store = store();
        for (int i = 0; i < 1100; i++) {
            store.record(TrustedNetworks.parseAddress("127.1." + (i / 250) + "." + (i % 250)), "u" + i + "@example.org",
                    T0.plusMillis(i));
        }
        List<PopAuthStore.Entry> list = store.list(T0.plusSeconds(10));
        assertThat(list).hasSize(1100);
        assertThat(list.get(0).login()).isEqualTo("u0@example.org");
        assertThat(list.get(1099).login()).isEqualTo("u1099@example.org");
    }

    @Test
    void expiresInRealTime() throws Exception {
        window.set(Duration.ofMillis(1500));
        PopAuthStore store = store();
        store.record(CLIENT, "alice@example.org", Instant.now());
        assertThat(store.lookup(CLIENT, Instant.now())).contains("alice@example.org");
        Thread.sleep(1700);
        assertThat(store.lookup(CLIENT, Instant.now())).isEmpty();
        assertThat(store.list(Instant.now())).isEmpty();
    }
}
