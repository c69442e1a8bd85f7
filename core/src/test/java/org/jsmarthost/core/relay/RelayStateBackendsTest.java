package org.jsmarthost.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class RelayStateBackendsTest {
    @Test
    void memoryIsTheDefaultAndIsSharedPerSpecification() throws Exception {
        RelayStateBackend first = RelayStateBackends.shared(" ");
        RelayStateBackend second = RelayStateBackends.shared("memory");

        assertThat(first).isSameAs(second);
        assertThat(first.describe()).isEqualTo("memory");
        PopAuthStore store = first.popAuthStore(() -> Duration.ofMinutes(30));
        assertThat(second.popAuthStore(() -> Duration.ZERO)).isSameAs(store);
        Instant now = Instant.parse("2026-11-28T10:00:00Z");
        store.record(InetAddress.getByName("127.0.0.9"), "alice@corp.example", now);
        assertThat(second.popAuthStore(() -> Duration.ZERO).lookup(InetAddress.getByName("127.0.0.9"), now.plusSeconds(60)))
            .contains("alice@corp.example");
        assertThat(first.quotaCounter(Clock.systemUTC())).isSameAs(second.quotaCounter(Clock.systemUTC()));
    }

    @Test
    void badSpecificationsAreRefusedWithTheExpectedForm() {
        assertThatThrownBy(() -> RelayStateBackends.create("memcached://x"))
            .hasMessage("state backend 'memcached://x' is unknown: expected 'memory' or redis://HOST:PORT[/DB]");
        assertThatThrownBy(() -> RelayStateBackends.create("redis://only-host"))
            .hasMessageContaining("needs a host and a port");
    }

    @Test
    void credentialsNeverAppearInMessages() {
        assertThatThrownBy(() -> RelayStateBackends.create("redis://user:s3cret@127.0.0.1:16379"))
            .hasMessageContaining("redis://***@127.0.0.1:16379")
            .hasMessageNotContaining("s3cret");
    }

    @Test
    void redisWithoutTheRedisJarSaysWhichJarToCopy() {
        assertThatThrownBy(() -> RelayStateBackends.create("redis://127.0.0.1:16379"))
            .hasMessageContaining("copy smarthost-redis-VERSION.jar into extensions-jars/");
    }
}
