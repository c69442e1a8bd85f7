package org.jsmarthost.matchers.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.jsmarthost.core.relay.ClientContext;
import org.jsmarthost.core.relay.Decision;
import org.jsmarthost.core.relay.PolicyReloader;
import org.jsmarthost.core.relay.RelayDecider;
import org.jsmarthost.core.relay.AliasResolver;
import org.jsmarthost.core.relay.TrustedNetworks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayPolicyHookTest {
    @TempDir
    Path dir;

    @Test
    void rawPathIsWhatJamesParsesWithoutParameters() {
        assertThat(RelayPolicyHook.rawPath("MAIL", "FROM:<a@b.example> SIZE=100 BODY=8BITMIME")).isEqualTo("<a@b.example>");
        assertThat(RelayPolicyHook.rawPath("MAIL", "FROM: <alice>")).isEqualTo("<alice>");
        assertThat(RelayPolicyHook.rawPath("MAIL", "FROM:<>")).isEqualTo("<>");
        assertThat(RelayPolicyHook.rawPath("RCPT", "TO:<@a.example:v@b.example> NOTIFY=NEVER")).isEqualTo("<@a.example:v@b.example>");
        assertThat(RelayPolicyHook.rawPath("RCPT", "TO:<victim>")).isEqualTo("<victim>");
        assertThat(RelayPolicyHook.rawPath("RCPT", "TO:victim@remote.example")).isEqualTo("victim@remote.example");
        assertThat(RelayPolicyHook.rawPath("RCPT", "TO:<\"a>b\"@x.example>")).isEqualTo("<\"a>b\"@x.example>");
        assertThat(RelayPolicyHook.rawPath("RCPT", "victim")).isNull();
        assertThat(RelayPolicyHook.rawPath("RCPT", null)).isNull();
    }

    @Test
    void refusalsBecomeDenyWithTheDecisionsCodeStatusAndRule() throws Exception {
        Files.writeString(dir.resolve("p.conf"), "pop_window = 30m\n");
        RelayDecider decider = new RelayDecider(PolicyReloader.load(dir.resolve("p.conf"), java.time.Clock.systemUTC(),
            java.time.Duration.ZERO), d -> d.equals("corp.example"), AliasResolver.none());
        ClientContext stranger = ClientContext.builder(TrustedNetworks.parseAddress("192.0.2.1")).build();

        Decision relay = decider.checkRecipient(stranger, "<a@corp.example>", "<v@remote.example>");
        HookResult r = RelayPolicyHook.reply(relay);
        assertThat(r.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(r.getSmtpRetCode()).isEqualTo("550");
        assertThat(r.getSmtpDescription()).startsWith("5.7.1 Relay access denied").endsWith("[rule outbound.relay-denied]");

        Decision trick = decider.checkRecipient(stranger, "<a@corp.example>", "<v%remote.example@corp.example>");
        assertThat(RelayPolicyHook.reply(trick).getSmtpRetCode()).isEqualTo("553");
        assertThat(RelayPolicyHook.reply(trick).getSmtpDescription()).startsWith("5.1.3").contains("[rule addr.percent-hack]");

        Decision submission = decider.checkSender(ClientContext.builder(TrustedNetworks.parseAddress("192.0.2.1"))
            .submission(true).tls(true).build(), "<a@corp.example>");
        assertThat(RelayPolicyHook.reply(submission).getSmtpRetCode()).isEqualTo("530");
        assertThat(RelayPolicyHook.reply(submission).getSmtpDescription()).startsWith("5.7.0");
    }

    @Test
    void metricNamesUseUnderscores() {
        assertThat(RelayPolicyHook.metricName("outbound.pop-before-smtp")).isEqualTo("smarthost_relay_rule_outbound_pop_before_smtp");
    }

    private RelayPolicyHook hook() {
        return new RelayPolicyHook(RelayFakes.domains("corp.example"), RelayFakes.rrt(Map.of()), new RecordingMetricFactory());
    }

    @Test
    void unknownParameterIsRefused() {
        BaseHierarchicalConfiguration c = new BaseHierarchicalConfiguration();
        c.addProperty("submision", "true");

        assertThatThrownBy(() -> hook().init(c)).isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("unknown parameter 'submision'");
    }

    @Test
    void submissionMustBeTrueOrFalse() {
        BaseHierarchicalConfiguration c = new BaseHierarchicalConfiguration();
        c.addProperty("submission", "yes");

        assertThatThrownBy(() -> hook().init(c)).isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("'submission' is 'yes', expected true or false");
    }

    @Test
    void badPolicyFileFailsInitNamingLineKeyAndValue() throws Exception {
        Files.writeString(dir.resolve("bad.conf"), "# x\ntrusted_networks = 10.0.0.0/33\n");
        BaseHierarchicalConfiguration c = new BaseHierarchicalConfiguration();
        c.addProperty("policyFile", dir.resolve("bad.conf").toString());

        assertThatThrownBy(() -> hook().init(c)).isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("line 2").hasMessageContaining("trusted_networks").hasMessageContaining("10.0.0.0/33");
    }

    @Test
    void shippedPolicyFileLoadsWithTheTrustedNetworksProperty() throws Exception {
        Path shipped = Path.of("../conf/smarthost-policy.conf");
        System.setProperty("smarthost.trusted.networks", "127.0.0.1/32, ::1/128");
        try {
            var p = org.jsmarthost.core.relay.RelayPolicy.parse(shipped);
            assertThat(p.trustedNetworks().networks()).extracting(Object::toString).containsExactly("127.0.0.1/32", "::1/128");
            assertThat(p.relayDomains()).isEmpty();
            assertThat(p.popWindow()).hasMinutes(30);
        } finally {
            System.clearProperty("smarthost.trusted.networks");
        }
    }
}
