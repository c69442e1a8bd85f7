package org.jsmarthost.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RelayPolicyParserTest {

    static Path exampleFile() {
        try {
            return Path.of(RelayPolicyParserTest.class.getResource("smarthost-policy.conf").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void exampleFileParses() throws Exception {
        RelayPolicy p = RelayPolicy.parse(exampleFile());

        assertThat(p.trustedNetworks().networks()).extracting(Object::toString)
                .containsExactly("127.0.0.0/8", "::1/128", "192.0.2.0/24", "2001:db8:100::/48");
        assertThat(p.trustedNetworks().contains(TrustedNetworks.parseAddress("2001:db8:100:5::1"))).isTrue();
        assertThat(p.senderDomains()).containsExactly("example.net", "mail.example.net");

        assertThat(p.relayDomains()).containsOnlyKeys("partner.example", "backup.example", "lab.example");
        RelayDomain partner = p.relayDomain("PARTNER.example").orElseThrow();
        assertThat(partner.nextHop().host()).contains("mail.partner.example");
        assertThat(partner.nextHop().port()).isEqualTo(25);
        assertThat(partner.validRecipients()).hasValueSatisfying(s -> assertThat(s)
                .containsExactly("info@partner.example", "sales@partner.example", "support@partner.example"));
        assertThat(p.relayDomain("backup.example").orElseThrow().nextHop().isMx()).isTrue();
        assertThat(p.relayDomain("backup.example").orElseThrow().validRecipients()).isEmpty();
        NextHop lab = p.relayDomain("lab.example").orElseThrow().nextHop();
        assertThat(lab.host()).contains("2001:db8:200::25");
        assertThat(lab.port()).isEqualTo(2525);
        assertThat(lab).hasToString("[2001:db8:200::25]:2525");

        Grant alice = p.grant("Alice@Example.org").orElseThrow();
        assertThat(alice.addresses()).containsExactly("postmaster@example.org");
        assertThat(alice.domains()).containsExactly("example.net");
        assertThat(p.grant("scanner@example.org").orElseThrow().addresses()).containsExactly("noreply@example.org");
        assertThat(p.grant("bob@example.org")).isEmpty();

        assertThat(p.popWindow()).isEqualTo(Duration.ofMinutes(30));
        assertThat(p.submissionRequiresTls()).isTrue();

        QuotaPolicy q = p.quotas();
        assertThat(q.identityDefault()).isEqualTo(new QuotaLimits(200, 1000, 500, 2000));
        assertThat(q.forIdentity("someone@example.org")).isEqualTo(new QuotaLimits(200, 1000, 500, 2000));
        assertThat(q.forIdentity("Newsletter@example.org"))
                .isEqualTo(new QuotaLimits(200, 10000, 500, QuotaLimits.UNLIMITED));
        assertThat(q.forIdentity("ip:192.0.2.10"))
                .isEqualTo(new QuotaLimits(QuotaLimits.UNLIMITED, QuotaLimits.UNLIMITED, 500, 2000));
        assertThat(q.domainDefault()).isEqualTo(new QuotaLimits(-1, 20000, -1, 50000));
        assertThat(q.forDomain("example.net")).isEqualTo(new QuotaLimits(-1, 5000, -1, 50000));
        assertThat(p.sources()).containsExactly(exampleFile());
    }

    @Test
    void emptyFileGivesClosedDefaults() throws Exception {
        RelayPolicy p = RelayPolicy.parse("# nothing\n\n", "empty.conf", null);
        assertThat(p.trustedNetworks().networks()).isEmpty();
        assertThat(p.senderDomains()).isEmpty();
        assertThat(p.relayDomains()).isEmpty();
        assertThat(p.grants()).isEmpty();
        assertThat(p.popWindow()).isEqualTo(RelayPolicy.DEFAULT_POP_WINDOW).isEqualTo(Duration.ofMinutes(30));
        assertThat(p.submissionRequiresTls()).isTrue();
        assertThat(p.quotas().forIdentity("x")).isEqualTo(QuotaLimits.NONE);
        RelayPolicy d = RelayPolicy.defaults();
        assertThat(d.trustedNetworks().networks()).isEmpty();
        assertThat(d.popWindow()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void continuationCommentsAndCrlf() throws Exception {
        String text = "sender_domains = a.example,\r\n  # a comment inside\r\n\tb.example c.example\r\n"
                + "pop_window = 0\r\nsubmission_requires_tls = no\r\n";
        RelayPolicy p = RelayPolicy.parse(text, "t.conf", null);
        assertThat(p.senderDomains()).containsExactly("a.example", "b.example", "c.example");
        assertThat(p.popWindow()).isZero();
        assertThat(p.submissionRequiresTls()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "trusted_networks = 192.0.2.0/24, xyz|t.conf line 1: key 'trusted_networks': 'xyz' is not a valid CIDR, expected a.b.c.d/n or ipv6/n",
        "trusted_network = 192.0.2.0/24|t.conf line 1: unknown key 'trusted_network', expected one of trusted_networks, sender_domains",
        "trusted_networks 10.0.0.0/8 = x|t.conf line 1: key 'trusted_networks' takes no argument, got '10.0.0.0/8'",
        "relay_domain = mx|t.conf line 1: key 'relay_domain' needs an argument, expected 'relay_domain ARGUMENT = value'",
        "relay_domain a b = mx|t.conf line 1: key 'relay_domain' has more than one argument",
        "trusted_networks|t.conf line 1: 'trusted_networks' has no '=', expected 'key = value'",
        "= 1|t.conf line 1: no key before '='",
        "sender_domains = example.org.|key 'sender_domains': 'example.org.' is not a valid domain (domain 'example.org.' ends with a dot), expected a name like example.org",
        "sender_domains = [192.0.2.1]|'[192.0.2.1]' is not a valid domain",
        "sender_domains = a.example, A.example|key 'sender_domains': 'A.example' is listed twice",
        "relay_domain partner.example = mx:25|key 'relay_domain partner.example': 'mx:25' has an invalid host",
        "relay_domain partner.example = host.example:0|'host.example:0' has an invalid port '0', expected 1..65535",
        "relay_domain partner.example = host.example:65536|has an invalid port '65536', expected 1..65535",
        "relay_domain partner.example = host_x.example|has an invalid host 'host_x.example'",
        "relay_domain partner.example = [host.example]:25|'[host.example]:25': 'host.example' is not an IP address literal",
        "relay_domain partner.example = a.example b.example|'a.example b.example' is not a single value, expected mx, host[:port] or [ip]:port",
        "relay_domain partner.example =|'' is not a single value",
        "relay_domain partner.example. = mx|'partner.example.' is not a valid domain",
        "relay_recipients partner.example = info@partner.example|line 1: recipients are listed for 'partner.example' but there is no 'relay_domain partner.example'",
        "grant alice@example.org = bob%x@example.org|key 'grant alice@example.org': 'bob%x@example.org' is not a valid address (addr.percent-hack",
        "grant alice@example.org = @example.org.|'example.org.' is not a valid domain",
        "grant alice@example.org =|empty grant, expected addresses and/or @domains",
        "grant alice@example.org = a@example.org, A@example.org|'A@example.org' is listed twice",
        "pop_window = 30|'30' is not a duration, expected Ns, Nm or Nh (or 0)",
        "pop_window = -5m|'-5m' is not a duration",
        "pop_window = 25h|'25h' is longer than 24h, expected at most 24h",
        "pop_window = 60h|'60h' is longer than 24h",
        "pop_window = 30 m|'30 m' is not a single value",
        "submission_requires_tls = true|'true' is not yes or no, expected yes or no",
        "quota_identity_default = messages_per_week=5|'messages_per_week=5' is not a limit, expected NAME=N (or NAME=unlimited) with NAME one of messages_per_hour",
        "quota_identity_default = messages_per_day=-1|'messages_per_day=-1' has an invalid count '-1', expected a whole number >= 0 or 'unlimited'",
        "quota_identity_default = messages_per_day=1e3|has an invalid count '1e3'",
        "quota_identity_default = messages_per_day|'messages_per_day' is not a limit",
        "quota_identity_default = messages_per_day=1, messages_per_day=2|'messages_per_day' is given twice",
        "quota_identity_default =|no limits given",
        "quota_identity ip:localhost = messages_per_day=1|'ip:localhost' is not a valid identity",
        "quota_domain example = messages_per_day=1|'example' is not a valid domain",
        "`sender_domains = a.example\n  # c\n\u0001 x`|t.conf line 3: control character 0x1",
        "`  sender_domains = a.example`|t.conf line 1: continuation line 'sender_domains = a.example' without a preceding entry",
        "`quota_identity ip:::1 = messages_per_day=1\nquota_identity ip:0:0:0:0:0:0:0:1 = messages_per_day=2`|t.conf line 2: key 'quota_identity ip:0:0:0:0:0:0:0:1': identity 'ip:0:0:0:0:0:0:0:1' is configured twice (as 'ip:::1')",
        "`pop_window = 5m\npop_window = 10m`|t.conf line 2: duplicate key 'pop_window' (first given at line 1), expected each key once",
        "`grant a@example.org = b@example.org\ngrant A@Example.org = c@example.org`|t.conf line 2: duplicate key 'grant a@example.org' (first given at line 1)",
    })
    void refusesWithLineKeyValueAndExpectation(String text, String expected) {
        assertThatThrownBy(() -> RelayPolicy.parse(text.replace("\\n", "\n").replace("\\u0001", "\u0001"), "t.conf",
                null)).isInstanceOf(PolicyException.class).hasMessageContaining(expected);
    }

    @Test
    void recipientsFileIsReadRelativeToThePolicyAndJoinedWithTheList(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("backup.txt"), "# valid recipients\nOne@backup.example\n\n two@backup.example \n",
                StandardCharsets.UTF_8);
        Path conf = dir.resolve("smarthost-policy.conf");
        Files.writeString(conf, "relay_domain backup.example = mx\n"
                + "relay_recipients_file backup.example = backup.txt\n"
                + "relay_recipients backup.example = three@backup.example\n");
        RelayPolicy p = RelayPolicy.parse(conf);
        RelayDomain d = p.relayDomain("backup.example").orElseThrow();
        assertThat(d.validRecipients()).hasValueSatisfying(s -> assertThat(s)
                .containsExactlyInAnyOrder("one@backup.example", "two@backup.example", "three@backup.example"));
        assertThat(d.accepts(EnvelopeAddress.of("ONE@backup.example"))).isTrue();
        assertThat(d.accepts(EnvelopeAddress.of("four@backup.example"))).isFalse();
        assertThat(p.sources()).containsExactly(conf, dir.resolve("backup.txt"));
    }

    @Test
    void recipientsFileErrors(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("p.conf");
        Files.writeString(conf, "relay_domain backup.example = mx\nrelay_recipients_file backup.example = missing.txt\n");
        assertThatThrownBy(() -> RelayPolicy.parse(conf)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("p.conf line 2: key 'relay_recipients_file backup.example': 'missing.txt' cannot read")
                .hasMessageContaining("expected a readable UTF-8 file");
        Files.writeString(dir.resolve("r.txt"), "a@other.example\n");
        Files.writeString(conf, "relay_domain backup.example = mx\nrelay_recipients_file backup.example = r.txt\n");
        assertThatThrownBy(() -> RelayPolicy.parse(conf))
                .hasMessageContaining("'a@other.example' (in r.txt) is not in domain 'backup.example'");
        Files.write(dir.resolve("r.txt"), new byte[] {'a', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> RelayPolicy.parse(conf)).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void missingPolicyFile(@TempDir Path dir) {
        assertThatThrownBy(() -> RelayPolicy.parse(dir.resolve("nope.conf"))).isInstanceOf(PolicyException.class)
                .hasMessageContaining("nope.conf: cannot read");
    }
}
