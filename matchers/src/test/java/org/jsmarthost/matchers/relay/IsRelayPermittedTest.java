package org.jsmarthost.matchers.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.mail.MessagingException;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IsRelayPermittedTest {
    @TempDir
    static Path home;
    private static String previousHome;

    private final RecordingMetricFactory metrics = new RecordingMetricFactory();

    @BeforeAll
    static void policy() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/smarthost-policy.conf"), "trusted_networks = 192.0.2.0/24\n"
            + "relay_domain partner.example = mx\n"
            + "sender_domains = corp.net\n"
            + "grant alice@corp.example = @corp.net\n");
        previousHome = System.getProperty("working.directory");
        System.setProperty("working.directory", home.toString());
    }

    @AfterAll
    static void restore() {
        if (previousHome == null) {
            System.clearProperty("working.directory");
        } else {
            System.setProperty("working.directory", previousHome);
        }
    }

    private IsRelayPermitted matcher(String condition) throws MessagingException {
        IsRelayPermitted m = new IsRelayPermitted(RelayFakes.domains("corp.example"),
            RelayFakes.rrt(Map.of("sales@corp.example", "alice@corp.example")), metrics);
        m.init(FakeMatcherConfig.builder().matcherName("IsRelayPermitted").condition(condition).build());
        return m;
    }

    private static FakeMail.Builder mail(String remoteAddr, String sender, String... recipients) throws Exception {
        return FakeMail.builder().name("m").remoteAddr(remoteAddr).sender(sender).recipients(recipients);
    }

    @Test
    void untrustedClientGetsOnlyRelayDomainRecipientsAndTheDenialIsRecorded() throws Exception {
        FakeMail m = mail("198.51.100.7", "alice@corp.example", "victim@remote.example", "info@partner.example").build();

        assertThat(matcher("").match(m)).containsExactly(new MailAddress("info@partner.example"));
        assertThat(m.getAttribute(IsRelayPermitted.DENIED)).hasValueSatisfying(a -> assertThat(a.getValue().value().toString())
            .contains("<victim@remote.example> rule=outbound.relay-denied").contains("550 5.7.1"));
        assertThat(m.getAttribute(IsRelayPermitted.PERMITTED)).hasValueSatisfying(a -> assertThat(a.getValue().value().toString())
            .isEqualTo("<info@partner.example> rule=inbound.relay-domain"));
        assertThat(metrics.countFor("smarthost_relay_matcher_outbound_relay_denied")).isEqualTo(1);
        assertThat(metrics.countFor("smarthost_relay_matcher_inbound_relay_domain")).isEqualTo(1);
    }

    @Test
    void trustedNetworkAndAuthenticatedUserMayRelayTheirOwnSenders() throws Exception {
        assertThat(matcher("memory").match(mail("192.0.2.10", "app@corp.example", "r@remote.example").build())).hasSize(1);

        FakeMail auth = mail("198.51.100.7", "sales@corp.example", "r@remote.example").build();
        auth.setAttribute(new Attribute(Mail.SMTP_AUTH_USER, AttributeValue.of("alice@corp.example")));
        assertThat(matcher("memory").match(auth)).hasSize(1);

        FakeMail granted = mail("198.51.100.7", "x@corp.net", "r@remote.example").build();
        granted.setAttribute(new Attribute(Mail.SMTP_AUTH_USER, AttributeValue.of("alice@corp.example")));
        assertThat(matcher("memory").match(granted)).hasSize(1);
    }

    @Test
    void authenticatedUserWithAnotherUsersSenderIsNotPermitted() throws Exception {
        FakeMail m = mail("198.51.100.7", "bob@corp.example", "r@remote.example").build();
        m.setAttribute(new Attribute(Mail.SMTP_AUTH_USER, AttributeValue.of("alice@corp.example")));

        assertThat(matcher("").match(m)).isEmpty();
        assertThat(m.getAttribute(IsRelayPermitted.DENIED).orElseThrow().getValue().value().toString())
            .contains("rule=sender.not-owned");
    }

    @Test
    void trustedNetworkWithForeignSenderIsNotPermitted() throws Exception {
        assertThat(matcher("").match(mail("192.0.2.10", "x@outside.example", "r@remote.example").build())).isEmpty();
    }

    @Test
    void mailGeneratedByAMailetIsPermitted() throws Exception {
        FakeMail m = mail("198.51.100.7", "someone@outside.example", "forward@remote.example").build();
        m.setAttribute(Mail.SENT_BY_MAILET_ATTRIBUTE);

        assertThat(matcher("").match(m)).containsExactly(new MailAddress("forward@remote.example"));
        assertThat(metrics.countFor("smarthost_relay_matcher_mailet_generated")).isEqualTo(1);
    }

    @Test
    void badStateBackendIsRefusedAtInit() {
        assertThatThrownBy(() -> matcher("postgres://x"))
            .isInstanceOf(MessagingException.class).hasMessageContaining("state backend 'postgres://x' is unknown");
    }

    @Test
    void missingPolicyFileIsRefusedAtInitNamingTheFile() {
        String saved = System.getProperty("working.directory");
        System.setProperty("working.directory", home.resolve("nowhere").toString());
        try {
            assertThatThrownBy(() -> matcher("")).isInstanceOf(MessagingException.class)
                .hasMessageContaining("nowhere/conf/smarthost-policy.conf");
        } finally {
            System.setProperty("working.directory", saved);
        }
    }
}
