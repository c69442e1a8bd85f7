package org.jsmarthost.matchers.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.api.BaseRequest;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hook over a fake SMTP session: raw text capture, DENY / DECLINED / OK, quotas, the trace. */
class RelayPolicyHookSessionTest {
    @TempDir
    Path dir;
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private RelayPolicyHook hook;

    /** A session whose attachments live in two maps; RSET = {@link #reset}. */
    static final class Session {
        final Map<AttachmentKey<?>, Object> connection = new HashMap<>();
        final Map<AttachmentKey<?>, Object> transaction = new HashMap<>();
        String client = "192.0.2.5";
        String user;
        boolean relaying;
        boolean tls;

        void reset() {
            transaction.clear();
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        SMTPSession proxy() {
            return (SMTPSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SMTPSession.class},
                (p, m, a) -> {
                    switch (m.getName()) {
                        case "getAttachment":
                            return Optional.ofNullable(map((State) a[1]).get(a[0]));
                        case "setAttachment":
                            return Optional.ofNullable(((Map) map((State) a[2])).put(a[0], a[1]));
                        case "removeAttachment":
                            return Optional.ofNullable(map((State) a[1]).remove(a[0]));
                        case "getRemoteAddress":
                            return new InetSocketAddress(InetAddress.getByName(client), 40000);
                        case "isTLSStarted":
                            return tls;
                        case "getUsername":
                            return user == null ? null : Username.of(user);
                        case "isRelayingAllowed":
                            return relaying;
                        default:
                            throw new UnsupportedOperationException(m.getName());
                    }
                });
        }

        private Map<AttachmentKey<?>, Object> map(State state) {
            return state == State.Connection ? connection : transaction;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(dir.resolve("policy.conf"), "trusted_networks = 192.0.2.0/28\n"
            + "relay_domain partner.example = mx\n"
            + "pop_window = 30m\n"
            + "quota_identity carol@corp.example = recipients_per_hour=1\n");
        hook = new RelayPolicyHook(RelayFakes.domains("corp.example"), RelayFakes.rrt(Map.of()), metrics);
        BaseHierarchicalConfiguration c = new BaseHierarchicalConfiguration();
        c.addProperty("policyFile", dir.resolve("policy.conf").toString());
        c.addProperty("[@class]", RelayPolicyHook.class.getName());
        hook.init(c);
    }

    private HookResult mail(SMTPSession s, String argument, String parsed) throws Exception {
        assertThat(hook.onCommand(s, new BaseRequest("MAIL", argument))).isNull();
        return hook.doMail(s, parsed.isEmpty() ? MaybeSender.nullSender() : MaybeSender.of(new MailAddress(parsed)));
    }

    private HookResult rcpt(SMTPSession s, String argument, String parsed) throws Exception {
        assertThat(hook.onCommand(s, new BaseRequest("RCPT", argument))).isNull();
        return hook.doRcpt(s, MaybeSender.nullSender(), new MailAddress(parsed));
    }

    @Test
    void theRawTextIsJudgedNotWhatJamesMadeOfIt() throws Exception {
        Session session = new Session();
        SMTPSession s = session.proxy();
        assertThat(mail(s, "FROM:<alice@corp.example> SIZE=10", "alice@corp.example")).isEqualTo(HookResult.DECLINED);
        // James turned <victim> into victim@localhost; the hook still sees "<victim>"
        HookResult r = rcpt(s, "TO:<victim>", "victim@localhost");
        assertThat(r.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(r.getSmtpDescription()).contains("[rule addr.unqualified]");
        assertThat(metrics.countFor("smarthost_relay_rule_addr_unqualified")).isEqualTo(1);
    }

    @Test
    void withoutTheCapturedTextTheHookFailsClosed() throws Exception {
        SMTPSession s = new Session().proxy();
        HookResult r = hook.doMail(s, MaybeSender.of(new MailAddress("alice@corp.example")));
        assertThat(r.getResult()).isEqualTo(HookReturnCode.denySoft());
        assertThat(r.getSmtpRetCode()).isEqualTo("451");
    }

    @Test
    void localDeclinesRelayDomainIsOkAndForeignIsDenied() throws Exception {
        Session session = new Session();
        session.client = "198.51.100.9";
        SMTPSession s = session.proxy();
        mail(s, "FROM:<someone@outside.example>", "someone@outside.example");
        assertThat(rcpt(s, "TO:<bob@corp.example>", "bob@corp.example")).isEqualTo(HookResult.DECLINED);
        assertThat(rcpt(s, "TO:<info@partner.example>", "info@partner.example")).isEqualTo(HookResult.OK);
        HookResult foreign = rcpt(s, "TO:<v@remote.example>", "v@remote.example");
        assertThat(foreign.getSmtpRetCode()).isEqualTo("550");
        assertThat(foreign.getSmtpDescription()).contains("[rule outbound.relay-denied]");
    }

    @Test
    void allowedOutboundDeclinesWhenJamesAgreesAndIsOkWhenOnlyThePolicyKnowsTheIdentity() throws Exception {
        Session trusted = new Session();
        trusted.relaying = true;
        SMTPSession s = trusted.proxy();
        mail(s, "FROM:<app@corp.example>", "app@corp.example");
        assertThat(rcpt(s, "TO:<v@remote.example>", "v@remote.example")).isEqualTo(HookResult.DECLINED);

        RelayRuntime runtime = RelayRuntime.obtain(dir.resolve("policy.conf"), "memory", RelayFakes.domains("corp.example"),
            RelayFakes.rrt(Map.of()));
        runtime.popAuth.record(InetAddress.getByName("198.51.100.20"), "dave@corp.example", Instant.now());
        Session pop = new Session();
        pop.client = "198.51.100.20";
        SMTPSession p = pop.proxy();
        assertThat(mail(p, "FROM:<bob@corp.example>", "bob@corp.example").getSmtpRetCode()).isEqualTo("553");
        mail(p, "FROM:<dave@corp.example>", "dave@corp.example");
        assertThat(rcpt(p, "TO:<v@remote.example>", "v@remote.example")).isEqualTo(HookResult.OK);
    }

    @Test
    void rsetForgetsTheSenderAndQuotaAnswers452() throws Exception {
        Session session = new Session();
        session.client = "198.51.100.30";
        session.user = "carol@corp.example";
        session.relaying = true;
        SMTPSession s = session.proxy();
        mail(s, "FROM:<carol@corp.example>", "carol@corp.example");
        assertThat(rcpt(s, "TO:<a@remote.example>", "a@remote.example")).isEqualTo(HookResult.DECLINED);
        HookResult over = rcpt(s, "TO:<b@remote.example>", "b@remote.example");
        assertThat(over.getResult()).isEqualTo(HookReturnCode.denySoft());
        assertThat(over.getSmtpRetCode()).isEqualTo("452");
        assertThat(over.getSmtpDescription()).startsWith("4.7.1").contains("try again after");
        session.reset();
        assertThat(rcpt(s, "TO:<c@remote.example>", "c@remote.example").getSmtpRetCode()).isEqualTo("451");
    }

    @Test
    void afterDataTheTraceHeaderCarriesRuleIdsOnlyAndReplacesAForgedOne() throws Exception {
        Session session = new Session();
        session.relaying = true;
        SMTPSession s = session.proxy();
        mail(s, "FROM:<app@corp.example>", "app@corp.example");
        rcpt(s, "TO:<v@remote.example>", "v@remote.example");
        rcpt(s, "TO:<bob@corp.example>", "bob@corp.example");
        FakeMail mail = FakeMail.builder().name("m").sender("app@corp.example").recipients("v@remote.example", "bob@corp.example")
            .mimeMessage(new javax.mail.internet.MimeMessage(javax.mail.Session.getDefaultInstance(new java.util.Properties()),
                new java.io.ByteArrayInputStream(("From: app@corp.example\r\nX-Smarthost-Relay: rules=forged\r\n"
                    + "Subject: x\r\n\r\nbody\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)))).build();

        assertThat(hook.onMessage(s, mail)).isEqualTo(HookResult.DECLINED);
        assertThat(mail.getMessage().getHeader("X-Smarthost-Relay")).as("the message is not touched at SMTP time")
            .containsExactly("rules=forged");
        assertThat(mail.getAttribute(RelayPolicyHook.TRACE).orElseThrow().getValue().value())
            .isEqualTo("rules=outbound.trusted-network,inbound.local");
        assertThat(mail.getAttribute(RelayPolicyHook.RULES).orElseThrow().getValue().value())
            .isEqualTo("outbound.trusted-network,inbound.local");
    }
    /** A message that counts how often its header fields are asked for. */
    static final class CountingMessage extends javax.mail.internet.MimeMessage {
        int headerReads;

        CountingMessage(String text) throws javax.mail.MessagingException {
            super(javax.mail.Session.getDefaultInstance(new java.util.Properties()),
                new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        }

        @Override
        public String[] getHeader(String name) throws javax.mail.MessagingException {
            headerReads++;
            return super.getHeader(name);
        }
    }

    /** MAIL and RCPT for {@code sender} to v@remote.example in a new session of {@code session}, then the message. */
    private HookResult afterData(Session session, String sender, CountingMessage message) throws Exception {
        SMTPSession s = session.proxy();
        mail(s, "FROM:<" + sender + ">", sender);
        rcpt(s, "TO:<v@remote.example>", "v@remote.example");
        return hook.onMessage(s, FakeMail.builder().name("m").sender(sender).recipients("v@remote.example")
            .mimeMessage(message).build());
    }

    @Test
    void theHeaderFieldsAreReadOnlyWhenALoginMustOwnThem() throws Exception {
        Session trusted = new Session();
        trusted.relaying = true;
        CountingMessage m = new CountingMessage("From: someone@elsewhere.example\r\nSubject: x\r\n\r\nbody\r\n");
        assertThat(afterData(trusted, "app@corp.example", m)).isEqualTo(HookResult.DECLINED);
        assertThat(m.headerReads).as("trusted network, no login: the header block is not read").isZero();

        Session login = new Session();
        login.user = "carol@corp.example";
        login.tls = true;
        CountingMessage forged = new CountingMessage("From: someone@elsewhere.example\r\nSubject: x\r\n\r\nbody\r\n");
        HookResult r = afterData(login, "carol@corp.example", forged);
        assertThat(r.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(r.getSmtpRetCode()).isEqualTo("550");
        assertThat(r.getSmtpDescription()).contains("someone@elsewhere.example").contains("[rule header.from-not-owned]");
        assertThat(forged.headerReads).as("a login: From and Sender read").isEqualTo(2);
    }
}
