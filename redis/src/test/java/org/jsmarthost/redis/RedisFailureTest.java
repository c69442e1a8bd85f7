package org.jsmarthost.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.jsmarthost.core.relay.PopAuthStore;
import org.jsmarthost.core.relay.QuotaCounter;
import org.jsmarthost.core.relay.TrustedNetworks;
import org.junit.jupiter.api.Test;

/** Fail closed: every Redis problem is a {@link RedisStateException} with a clear message, never a silent pass. */
class RedisFailureTest {
    static final InetAddress CLIENT = TrustedNetworks.parseAddress("127.0.0.7");

    @Test
    void nothingListeningFailsEveryOperationWithTheBackendAndTheCause() throws IOException {
        // below the ephemeral range: no outgoing connection can take it meanwhile, nor connect to itself on it
        int port = FreePorts.freePort();
        try (RedisRelayStateBackend b = new RedisRelayStateBackend(URI.create("redis://:pw@127.0.0.1:" + port + "/0"))) {
            QuotaCounter q = b.quotaCounter(Clock.systemUTC());
            PopAuthStore pop = b.popAuthStore(() -> Duration.ofMinutes(30));
            Instant now = Instant.now();
            String name = "Redis state backend redis://127.0.0.1:" + port + "/0 failed during ";
            assertThatThrownBy(() -> q.addAndGet("quota|i|alice|m|h|0", 1, now.plusSeconds(60)))
                    .isInstanceOf(RedisStateException.class).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith(name + "quota addAndGet quota|i|alice|m|h|0: ")
                    .hasMessageContaining("Connection refused").hasMessageNotContaining("pw@");
            assertThatThrownBy(() -> q.get("k")).isInstanceOf(RedisStateException.class)
                    .hasMessageStartingWith(name + "quota get k: ");
            assertThatThrownBy(() -> q.reset("k")).isInstanceOf(RedisStateException.class)
                    .hasMessageStartingWith(name + "quota reset k: ");
            assertThatThrownBy(() -> pop.record(CLIENT, "alice@example.org", now)).isInstanceOf(RedisStateException.class)
                    .hasMessageStartingWith(name + "pop-auth record 127.0.0.7: ");
            assertThatThrownBy(() -> pop.lookup(CLIENT, now)).isInstanceOf(RedisStateException.class)
                    .hasMessageStartingWith(name + "pop-auth lookup 127.0.0.7: ");
            assertThatThrownBy(() -> pop.list(now)).isInstanceOf(RedisStateException.class)
                    .hasMessageStartingWith(name + "pop-auth list: ");
            assertThatThrownBy(b::ping).isInstanceOf(RedisStateException.class).hasMessageStartingWith(name + "ping: ");
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        // accepts connections and never answers: Redis hanging, or a firewall swallowing the replies
        ServerSocket blackHole = new ServerSocket();
        blackHole.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(blackHole.accept());
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        try (RedisRelayStateBackend b = new RedisRelayStateBackend(
                URI.create("redis://127.0.0.1:" + blackHole.getLocalPort() + "?timeout=300"))) {
            assertThatThrownBy(() -> b.quotaCounter(Clock.systemUTC()).get("k"))
                    .isInstanceOf(RedisStateException.class)
                    .hasMessageContaining("failed during quota get k")
                    .hasMessageContaining("timed out");
        } finally {
            blackHole.close();
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }

    @Test
    void redisGoingDownFailsAndComingBackRecovers() {
        try (RedisServer server = RedisServer.start();
             RedisRelayStateBackend b = new RedisRelayStateBackend(URI.create(server.uri(0)))) {
            QuotaCounter q = b.quotaCounter(Clock.systemUTC());
            PopAuthStore pop = b.popAuthStore(() -> Duration.ofMinutes(30));
            Instant deadline = Instant.now().plusSeconds(600);
            assertThat(q.addAndGet("k", 1, deadline)).isEqualTo(1);
            pop.record(CLIENT, "alice@example.org", Instant.now());

            server.stop();
            assertThatThrownBy(() -> q.addAndGet("k", 1, deadline)).isInstanceOf(RedisStateException.class)
                    .hasMessageContaining("failed during quota addAndGet k");
            assertThatThrownBy(() -> pop.lookup(CLIENT, Instant.now())).isInstanceOf(RedisStateException.class)
                    .hasMessageContaining("failed during pop-auth lookup 127.0.0.7");

            server.restart();
            // a fresh Redis has forgotten everything: counters restart, logins are gone (never wider than before)
            assertThat(q.addAndGet("k", 1, deadline)).isEqualTo(1);
            assertThat(pop.lookup(CLIENT, Instant.now())).isEmpty();
        }
    }

    @Test
    void wrongPasswordIsRefusedWithoutShowingIt() {
        try (RedisServer secured = RedisServer.start("--requirepass", "right-pw");
             RedisRelayStateBackend none = new RedisRelayStateBackend(URI.create(secured.uri(0)));
             RedisRelayStateBackend wrong = new RedisRelayStateBackend(
                     URI.create("redis://:wrong-pw@127.0.0.1:" + secured.port() + "/0"))) {
            assertThatThrownBy(() -> none.quotaCounter(Clock.systemUTC()).get("k"))
                    .isInstanceOf(RedisStateException.class).hasMessageContaining("NOAUTH");
            assertThatThrownBy(() -> wrong.quotaCounter(Clock.systemUTC()).get("k"))
                    .isInstanceOf(RedisStateException.class).hasMessageContaining("WRONGPASS")
                    .hasMessageNotContaining("wrong-pw");
        }
    }

    @Test
    void aKeyThatIsNotACounterIsAnErrorNotZero() {
        try (RedisServer server = RedisServer.start();
             RedisRelayStateBackend b = new RedisRelayStateBackend(URI.create(server.uri(0)))) {
            try (redis.clients.jedis.Jedis j = server.raw(0)) {
                j.set("smarthost:quota:k", "lots");
            }
            QuotaCounter q = b.quotaCounter(Clock.systemUTC());
            assertThatThrownBy(() -> q.get("k")).isInstanceOf(RedisStateException.class)
                    .hasMessageContaining("'smarthost:quota:k' holds 'lots', expected an integer counter");
            assertThatThrownBy(() -> q.addAndGet("k", 1, Instant.now().plusSeconds(60)))
                    .isInstanceOf(RedisStateException.class).hasMessageContaining("not an integer");
        }
    }
}
