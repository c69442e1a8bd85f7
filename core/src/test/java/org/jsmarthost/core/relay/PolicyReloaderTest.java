package org.jsmarthost.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyReloaderTest {
    @TempDir
    Path dir;
    Path conf;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));

    @BeforeEach
    void write() throws Exception {
        conf = dir.resolve("smarthost-policy.conf");
        Files.writeString(conf, "trusted_networks = 127.0.0.0/24\npop_window = 30m\n");
    }

    @Test
    void startupRefusesABadFile() throws Exception {
        Files.writeString(conf, "trusted_networks = 127.0.0.0/24, nonsense\n");
        assertThatThrownBy(() -> PolicyReloader.load(conf, clock, Duration.ofSeconds(5)))
                .isInstanceOf(PolicyException.class)
                .hasMessage("smarthost-policy.conf line 1: key 'trusted_networks': 'nonsense'"
                        + " is not a valid CIDR, expected a.b.c.d/n or ipv6/n (no host names, no leading zeros,"
                        + " no zone id)");
        assertThatThrownBy(() -> PolicyReloader.load(dir.resolve("missing.conf"), clock, Duration.ofSeconds(5)))
                .isInstanceOf(PolicyException.class).hasMessageContaining("cannot read");
    }

    @Test
    void goodEditIsPickedUpAfterTheInterval() throws Exception {
        PolicyReloader r = PolicyReloader.load(conf, clock, Duration.ofSeconds(5));
        RelayPolicy first = r.current();
        assertThat(first.popWindow()).isEqualTo(Duration.ofMinutes(30));
        Files.writeString(conf, "trusted_networks = 127.0.0.0/24\npop_window = 10m\n");
        clock.advance(Duration.ofSeconds(4));
        assertThat(r.current()).as("not yet due").isSameAs(first);
        clock.advance(Duration.ofSeconds(1));
        assertThat(r.current().popWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(r.lastError()).isEmpty();
        assertThat(r.get()).isSameAs(r.current());
    }

    @Test
    void unchangedContentIsNotReparsed() throws Exception {
        PolicyReloader r = PolicyReloader.load(conf, clock, Duration.ZERO);
        RelayPolicy first = r.current();
        Files.writeString(conf, Files.readString(conf)); // same bytes, new mtime
        assertThat(r.checkNow()).isFalse();
        assertThat(r.current()).isSameAs(first);
    }

    @Test
    void badEditKeepsTheLastGoodPolicy() throws Exception {
        PolicyReloader r = PolicyReloader.load(conf, clock, Duration.ZERO);
        RelayPolicy good = r.current();
        Files.writeString(conf, "trusted_networks = 0.0.0.0/0\npop_window = 30m\n");
        assertThat(r.current()).isSameAs(good);
        assertThat(good.trustedNetworks().contains(TrustedNetworks.parseAddress("127.0.9.9"))).isFalse();
        assertThat(r.lastError()).hasValueSatisfying(e -> assertThat(e)
                .contains("line 1").contains("trusted_networks").contains("0.0.0.0/0")
                .contains("would trust every address"));
        // the same bad content is not parsed again
        assertThat(r.checkNow()).isFalse();
        // fixing it installs the new policy and clears the error
        Files.writeString(conf, "trusted_networks = 127.0.0.0/23\n");
        assertThat(r.checkNow()).isTrue();
        assertThat(r.current().trustedNetworks().contains(TrustedNetworks.parseAddress("127.0.1.9"))).isTrue();
        assertThat(r.lastError()).isEmpty();
    }

    @Test
    void deletedFileKeepsTheLastGoodPolicyUntilItReturns() throws Exception {
        PolicyReloader r = PolicyReloader.load(conf, clock, Duration.ZERO);
        RelayPolicy good = r.current();
        Files.delete(conf);
        assertThat(r.current()).isSameAs(good);
        assertThat(r.lastError()).hasValueSatisfying(e -> assertThat(e).contains("cannot read"));
        Files.writeString(conf, "pop_window = 5m\n");
        assertThat(r.current().popWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(r.lastError()).isEmpty();
    }

    @Test
    void recipientFileChangesAreWatchedToo() throws Exception {
        Path rcpts = dir.resolve("backup.txt");
        Files.writeString(rcpts, "a@backup.example\n");
        Files.writeString(conf, "relay_domain backup.example = mx\nrelay_recipients_file backup.example = backup.txt\n");
        PolicyReloader r = PolicyReloader.load(conf, clock, Duration.ZERO);
        EnvelopeAddress b = EnvelopeAddress.of("b@backup.example");
        assertThat(r.current().relayDomain("backup.example").orElseThrow().accepts(b)).isFalse();
        Files.writeString(rcpts, "a@backup.example\nb@backup.example\n");
        assertThat(r.current().relayDomain("backup.example").orElseThrow().accepts(b)).isTrue();
        Files.writeString(rcpts, "a@other.example\n");
        RelayPolicy kept = r.current();
        assertThat(kept.relayDomain("backup.example").orElseThrow().accepts(b)).isTrue();
        assertThat(r.lastError()).hasValueSatisfying(e -> assertThat(e).contains("a@other.example"));
    }

    @Test
    void deciderFollowsTheReloader() throws Exception {
        PolicyReloader r = PolicyReloader.load(conf, clock, Duration.ZERO);
        RelayDecider d = new RelayDecider(r, RelayDeciderTest.LOCAL, RelayDeciderTest.RRT);
        ClientContext c = ClientContext.builder(TrustedNetworks.parseAddress("127.0.1.5")).build();
        assertThat(d.checkRecipient(c, "<x@example.org>", "<f@foreign.example>").ruleId())
                .isEqualTo("outbound.relay-denied");
        Files.writeString(conf, "trusted_networks = 127.0.0.0/23\n");
        assertThat(d.checkRecipient(c, "<x@example.org>", "<f@foreign.example>").ruleId())
                .isEqualTo("outbound.trusted-network");
        Files.writeString(conf, "trusted_networks = 127.0.0.0/23, ::/0\n");
        assertThat(d.checkRecipient(ClientContext.builder(TrustedNetworks.parseAddress("2001:db8::1")).build(),
                "<x@example.org>", "<f@foreign.example>").ruleId()).isEqualTo("outbound.relay-denied");
    }

    @Test
    void exampleFileLoads() throws Exception {
        PolicyReloader r = PolicyReloader.load(RelayPolicyParserTest.exampleFile(), clock, Duration.ofSeconds(5));
        assertThat(r.current().relayDomains()).hasSize(3);
        assertThat(r.checkNow()).isFalse();
    }
}
