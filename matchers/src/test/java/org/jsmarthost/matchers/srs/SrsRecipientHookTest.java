package org.jsmarthost.matchers.srs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.jsmarthost.core.srs.SrsCodec;
import org.jsmarthost.core.srs.SrsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SrsRecipientHookTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path home;

    private final RecordingMetricFactory metrics = new RecordingMetricFactory();

    private SrsRecipientHook hook(Instant now, String... params) throws ConfigurationException {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("[@class]", SrsRecipientHook.class.getName());
        for (int i = 0; i < params.length; i += 2) {
            config.addProperty(params[i], params[i + 1]);
        }
        SrsRecipientHook hook = new SrsRecipientHook(metrics, Clock.fixed(now, ZoneOffset.UTC), home);
        hook.init(config);
        return hook;
    }

    /** The SRS address our SrsForward would make today, with the secrets of this home. */
    private String srsFor(String sender, Instant when) throws Exception {
        SrsCodec codec = SrsSettings.parse(name -> name.equals("srsDomain") ? "srs.corp.example" : null,
                java.util.Optional.empty(), home).codec(Clock.fixed(when, ZoneOffset.UTC), d -> false);
        return codec.forward(sender).address();
    }

    private static HookResult rcpt(SrsRecipientHook hook, String address) throws Exception {
        return hook.doRcpt(null, MaybeSender.nullSender(), new MailAddress(address));
    }

    @Test
    void aValidSrsAddressIsAcceptedSkippingTheRelayChecks() throws Exception {
        SrsRecipientHook hook = hook(NOW, "srsDomain", "srs.corp.example");
        String srs = srsFor("alice@outside.example", NOW);

        HookResult result = rcpt(hook, srs);

        assertThat(result.getResult()).isEqualTo(HookReturnCode.ok());
        assertThat(result.getSmtpRetCode()).isEqualTo("250");
        assertThat(result.getSmtpDescription()).startsWith("2.1.5");
        assertThat(metrics.countFor("smarthost_srs_rcpt_OK")).isEqualTo(1);
    }

    @Test
    void caseChangedValidAddressIsStillAccepted() throws Exception {
        SrsRecipientHook hook = hook(NOW, "srsDomain", "srs.corp.example");
        String srs = srsFor("alice@outside.example", NOW);

        assertThat(rcpt(hook, srs.toLowerCase()).getResult()).isEqualTo(HookReturnCode.ok());
    }

    @Test
    void aForgedHashIsRefusedWith550AndTheReason() throws Exception {
        SrsRecipientHook hook = hook(NOW, "srsDomain", "srs.corp.example");
        String forged = srsFor("alice@outside.example", NOW).replaceFirst("SRS0=....", "SRS0=AAAA");

        HookResult result = rcpt(hook, forged);

        assertThat(result.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(result.getSmtpRetCode()).isEqualTo("550");
        assertThat(result.getSmtpDescription()).startsWith("5.7.1 <" + forged + ">: forged SRS address (")
                .contains("AAAA").endsWith("not relayed");
        assertThat(metrics.countFor("smarthost_srs_rcpt_BAD_HASH")).isEqualTo(1);
    }

    @Test
    void anExpiredAddressIsRefusedWith550() throws Exception {
        String old = srsFor("alice@outside.example", NOW.minusSeconds(22L * 86400));
        SrsRecipientHook hook = hook(NOW, "srsDomain", "srs.corp.example");

        HookResult result = rcpt(hook, old);

        assertThat(result.getSmtpRetCode()).isEqualTo("550");
        assertThat(result.getSmtpDescription()).startsWith("5.1.1 <" + old + ">: expired SRS address");
        assertThat(metrics.countFor("smarthost_srs_rcpt_EXPIRED")).isEqualTo(1);
    }

    @Test
    void maxAgeDaysIsHonoured() throws Exception {
        String weekOld = srsFor("alice@outside.example", NOW.minusSeconds(8L * 86400));

        assertThat(rcpt(hook(NOW, "srsDomain", "srs.corp.example"), weekOld).getResult()).isEqualTo(HookReturnCode.ok());
        assertThat(rcpt(hook(NOW, "srsDomain", "srs.corp.example", "maxAgeDays", "7"), weekOld).getSmtpRetCode())
                .isEqualTo("550");
    }

    @Test
    void aMalformedSrsAddressIsRefused() throws Exception {
        HookResult result = rcpt(hook(NOW, "srsDomain", "srs.corp.example"), "SRS0=abcd@srs.corp.example");

        assertThat(result.getSmtpRetCode()).isEqualTo("550");
        assertThat(result.getSmtpDescription()).startsWith("5.1.1 <SRS0=abcd@srs.corp.example>: malformed SRS address");
    }

    @Test
    void otherRecipientsAndNonSrsAddressesOfTheSrsDomainAreLeftToTheOtherHooks() throws Exception {
        SrsRecipientHook hook = hook(NOW, "srsDomain", "srs.corp.example");

        assertThat(rcpt(hook, "bob@remote.example")).isEqualTo(HookResult.DECLINED);
        assertThat(rcpt(hook, "postmaster@srs.corp.example")).isEqualTo(HookResult.DECLINED);
        assertThat(rcpt(hook, srsFor("alice@outside.example", NOW).replace("srs.corp.example", "other.example")))
                .isEqualTo(HookResult.DECLINED);
    }

    @Test
    void configurationErrorsNameTheParameter() {
        assertThatThrownBy(() -> hook(NOW, "srsDomain", "srs.corp.example", "maxAge", "3"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown parameter(s) [maxAge]");
        assertThatThrownBy(() -> hook(NOW, "srsDomain", "srs.corp.example", "hashLength", "x"))
                .hasMessage("SrsRecipientHook: hashLength: 'x' is not a whole number, expected 4..27");
        assertThatThrownBy(() -> hook(NOW)).hasMessageStartingWith("SrsRecipientHook: srsDomain: missing");
    }

    @Test
    void theJavadocExampleIsAValidConfiguration() throws Exception {
        String source = Files.readString(Path.of("src/main/java/org/jsmarthost/matchers/srs/SrsRecipientHook.java"),
                StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<h2>EXAMPLE</h2>\\s*\\* <pre>(.*?)\\* </pre>", Pattern.DOTALL).matcher(source);
        assertThat(m.find()).isTrue();
        String xml = m.group(1).replaceAll("(?m)^\\s*\\* ?", "").replace("&lt;", "<").replace("&gt;", ">");
        XMLConfiguration chain = new XMLConfiguration();
        new FileHandler(chain).load(new StringReader(xml));
        HierarchicalConfiguration<ImmutableNode> handler = chain.configurationAt("handler(0)");
        assertThat(handler.getString("[@class]")).isEqualTo(SrsRecipientHook.class.getName());
        SrsRecipientHook hook = new SrsRecipientHook(metrics, Clock.fixed(NOW, ZoneOffset.UTC), home);

        hook.init(handler);

        SrsCodec codec = SrsSettings.parse(name -> name.equals("srsDomain") ? "relay.example.net" : null,
                java.util.Optional.empty(), home).codec(Clock.fixed(NOW, ZoneOffset.UTC), d -> false);
        assertThat(rcpt(hook, codec.forward("a@b.example").address()).getResult()).isEqualTo(HookReturnCode.ok());
    }

    @Test
    void theShippedSmtpserverXmlPutsTheHookFirstInTheMxChainOnlyAndItStarts() throws Exception {
        XMLConfiguration smtp = new XMLConfiguration();
        new FileHandler(smtp).load(Path.of("../conf/smtpserver.xml").toFile());
        String previous = System.setProperty("smarthost.helo", "relay.example.net");
        try {
            HierarchicalConfiguration<ImmutableNode> mx = smtp.configurationAt("smtpserver(0)");
            assertThat(mx.getString("jmxName")).isEqualTo("smtpserver-mx");
            HierarchicalConfiguration<ImmutableNode> first = mx.configurationAt("handlerchain.handler(0)");
            assertThat(first.getString("[@class]")).isEqualTo(SrsRecipientHook.class.getName());
            for (int i = 1; i < 3; i++) {
                assertThat(smtp.getList(String.class, "smtpserver(" + i + ").handlerchain.handler[@class]"))
                        .doesNotContain(SrsRecipientHook.class.getName());
            }
            SrsRecipientHook hook = new SrsRecipientHook(metrics, Clock.fixed(NOW, ZoneOffset.UTC), home);

            hook.init(first);

            String srs = SrsSettings.parse(name -> name.equals("srsDomain") ? "relay.example.net" : null,
                    java.util.Optional.empty(), home).codec(Clock.fixed(NOW, ZoneOffset.UTC), d -> false)
                    .forward("a@b.example").address();
            assertThat(rcpt(hook, srs).getResult()).isEqualTo(HookReturnCode.ok());
        } finally {
            if (previous == null) {
                System.clearProperty("smarthost.helo");
            } else {
                System.setProperty("smarthost.helo", previous);
            }
        }
    }
}
