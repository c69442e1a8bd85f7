package org.jsmarthost.mailets.rewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewriteAddressesTest {
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-28T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static final String DOMAIN_MOVE = String.join("\n",
            "# company renamed",
            "@old.example  @new.example  apply=envelope-sender,From,Reply-To,Sender dir=out id=rename",
            "@old.example  @new.example  apply=envelope-recipient,To,Cc dir=in id=rename-in",
            "");

    private static final String MESSAGE = String.join("\n",
            "Received: from client.example by smarthost.test; Sat, 28 Nov 2026 12:00:00 +0000",
            "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@old.example>, \"Doe, Jane\" <jane@old.example>",
            "Reply-To: team: joerg@old.example (Joerg \"the boss\"), other@elsewhere.example;",
            "Sender: Helper <helper@unrelated.example>",
            "To: bob@old.example, Carol <carol@remote.example>",
            "Subject: =?UTF-8?B?R3LDvMOfZQ==?=",
            "Message-ID: <id-1@old.example>",
            "",
            "body mentions joerg@old.example",
            "");

    @TempDir
    Path home;

    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final MutableClock clock = new MutableClock();

    private RewriteAddresses mailet(String... params) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("rewrite-out");
        for (int i = 0; i < params.length; i += 2) {
            config.setProperty(params[i], params[i + 1]);
        }
        RewriteAddresses mailet = new RewriteAddresses(metrics, clock, home);
        mailet.init(config.build());
        return mailet;
    }

    private void table(String text) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/rewrite.table"), text);
    }

    @SuppressWarnings("unchecked")
    private static List<String> changes(MailImpl mail) {
        return mail.getAttribute(RewriteAddresses.CHANGES).map(a -> ((List<AttributeValue<?>>) a.getValue().value())
                .stream().map(v -> (String) v.value()).collect(Collectors.toList())).orElse(List.of());
    }

    @Test
    void domainMoveRewritesSenderAndSenderHeadersKeepingEverythingElseByteForByte() throws Exception {
        table(DOMAIN_MOVE);
        RewriteAddresses mailet = mailet("direction", "out");
        MailImpl mail = TestMails.mail("joerg@old.example", MESSAGE, "bob@old.example", "carol@remote.example");

        mailet.service(mail);

        assertThat(mail.getMaybeSender().get().asString()).isEqualTo("joerg@new.example");
        assertThat(mail.getRecipients()).extracting(MailAddress::asString)
                .containsExactly("bob@old.example", "carol@remote.example");
        assertThat(TestMails.header(mail.getMessage(), "From")).isEqualTo(
                "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@new.example>, \"Doe, Jane\" <jane@new.example>");
        assertThat(TestMails.header(mail.getMessage(), "Reply-To"))
                .isEqualTo("team: joerg@new.example (Joerg \"the boss\"), other@elsewhere.example;");
        assertThat(TestMails.header(mail.getMessage(), "Sender")).isEqualTo("Helper <helper@unrelated.example>");
        assertThat(TestMails.header(mail.getMessage(), "To")).isEqualTo("bob@old.example, Carol <carol@remote.example>");
        assertThat(TestMails.header(mail.getMessage(), "Subject")).isEqualTo("=?UTF-8?B?R3LDvMOfZQ==?=");
        assertThat(TestMails.header(mail.getMessage(), "Message-ID")).isEqualTo("<id-1@old.example>");
        assertThat(mail.getMessage().getContent().toString()).contains("joerg@old.example");
        java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
        mail.getMessage().writeTo(written);
        assertThat(written.toString(java.nio.charset.StandardCharsets.UTF_8)).as("headers keep their places")
                .containsSubsequence("Received: ", "From: ", "Reply-To: ", "Sender: ", "To: ", "Subject: ", "Message-ID: ");
        assertThat(changes(mail)).containsExactly(
                "envelope-sender joerg@old.example -> joerg@new.example (rule rename)",
                "From: joerg@old.example -> joerg@new.example (rule rename)",
                "From: jane@old.example -> jane@new.example (rule rename)",
                "Reply-To: joerg@old.example -> joerg@new.example (rule rename)");
        assertThat(metrics.countFor("smarthost_rewrite_rule_rename")).isEqualTo(4);
        assertThat(metrics.countFor("smarthost_rewrite_mails")).isEqualTo(1);
    }

    @Test
    void inboundDirectionAppliesOnlyTheInboundRulesToRecipientsAndRecipientHeaders() throws Exception {
        table(DOMAIN_MOVE);
        RewriteAddresses mailet = mailet("direction", "in");
        MailImpl mail = TestMails.mail("joerg@old.example", MESSAGE, "bob@old.example", "bob@new.example",
                "carol@remote.example");

        mailet.service(mail);

        assertThat(mail.getMaybeSender().get().asString()).isEqualTo("joerg@old.example");
        assertThat(mail.getRecipients()).extracting(MailAddress::asString)
                .containsExactly("bob@new.example", "carol@remote.example");
        assertThat(TestMails.header(mail.getMessage(), "To")).isEqualTo("bob@new.example, Carol <carol@remote.example>");
        assertThat(TestMails.header(mail.getMessage(), "From")).contains("<joerg@old.example>");
        assertThat(metrics.countFor("smarthost_rewrite_rule_rename-in")).isEqualTo(2);
        assertThat(metrics.countFor("smarthost_rewrite_rule_rename")).isZero();
    }

    @Test
    void nullSenderAndMailWithoutMatchingAddressesAreLeftAlone() throws Exception {
        table(DOMAIN_MOVE);
        RewriteAddresses mailet = mailet("direction", "out");
        MailImpl bounce = TestMails.mail(null, "From: MAILER-DAEMON@remote.example\nTo: x@y.example\n\nbounce\n",
                "x@y.example");

        mailet.service(bounce);

        assertThat(bounce.getMaybeSender().isNullSender()).isTrue();
        assertThat(changes(bounce)).isEmpty();
        assertThat(bounce.getAttribute(RewriteAddresses.CHANGES)).isEmpty();
        assertThat(metrics.countFor("smarthost_rewrite_mails")).isZero();
    }

    @Test
    void aMissingTableMeansNoRewriting() throws Exception {
        RewriteAddresses mailet = mailet("direction", "out");
        MailImpl mail = TestMails.mail("joerg@old.example", MESSAGE, "bob@old.example");

        mailet.service(mail);

        assertThat(mail.getMaybeSender().get().asString()).isEqualTo("joerg@old.example");
        assertThat(changes(mail)).isEmpty();
    }

    @Test
    void anEditedTableIsUsedAfterTheCheckIntervalAndABrokenEditKeepsThePreviousRules() throws Exception {
        table("");
        RewriteAddresses mailet = mailet("direction", "out", "checkIntervalSeconds", "2");
        table(DOMAIN_MOVE);
        MailImpl before = TestMails.mail("joerg@old.example", MESSAGE, "bob@old.example");
        mailet.service(before);
        assertThat(before.getMaybeSender().get().asString()).isEqualTo("joerg@old.example");

        clock.advance(Duration.ofSeconds(2));
        MailImpl after = TestMails.mail("joerg@old.example", MESSAGE, "bob@old.example");
        mailet.service(after);
        assertThat(after.getMaybeSender().get().asString()).isEqualTo("joerg@new.example");

        table("@old.example @new.example apply=nonsense dir=out\n");
        clock.advance(Duration.ofSeconds(2));
        MailImpl broken = TestMails.mail("joerg@old.example", MESSAGE, "bob@old.example");
        mailet.service(broken);
        assertThat(broken.getMaybeSender().get().asString()).isEqualTo("joerg@new.example");
        assertThat(RewriteDiagnostics.instance().getTableError()).contains("line 1");
    }

    @Test
    void directionIsRequired() {
        assertThatThrownBy(() -> mailet()).isInstanceOf(MessagingException.class)
                .hasMessage("direction: missing, expected out or in");
    }

    @Test
    void unknownDirectionIsRefused() {
        assertThatThrownBy(() -> mailet("direction", "outbound"))
                .hasMessage("direction: 'outbound' is not valid, expected out or in");
    }

    @Test
    void unknownParametersAreRefused() {
        assertThatThrownBy(() -> mailet("direction", "out", "tabel", "conf/x"))
                .hasMessageContaining("unknown parameter(s) [tabel]")
                .hasMessageContaining("[checkIntervalSeconds, direction, table]");
    }

    @Test
    void checkIntervalMustBeAWholeNumberOfSecondsInRange() {
        assertThatThrownBy(() -> mailet("direction", "out", "checkIntervalSeconds", "5s"))
                .hasMessage("checkIntervalSeconds: '5s' is not valid, expected a whole number 0..3600");
        assertThatThrownBy(() -> mailet("direction", "out", "checkIntervalSeconds", "-1"))
                .hasMessageStartingWith("checkIntervalSeconds: '-1' is not valid");
    }

    @Test
    void aBadTableStopsTheStartNamingTheLine() throws Exception {
        table("# comment\n@old.example @new.example apply=From\n");
        assertThatThrownBy(() -> mailet("direction", "out"))
                .hasMessageStartingWith("table: ")
                .hasMessageContaining("line 2");
    }

    @Test
    void theTableParameterNamesAnotherFile() throws Exception {
        Files.writeString(home.resolve("other.table"),
                "j@old.example jane@new.example apply=envelope-sender dir=out id=one\n");
        RewriteAddresses mailet = mailet("direction", "out", "table", "other.table");
        MailImpl mail = TestMails.mail("J@old.example", MESSAGE, "bob@old.example");

        mailet.service(mail);

        assertThat(mail.getMaybeSender().get().asString()).isEqualTo("jane@new.example");
        assertThat(RewriteDiagnostics.instance().getTableFile()).isEqualTo(home.resolve("other.table").toString());
    }

    @Test
    void theJavadocExampleIsAValidConfiguration() throws Exception {
        table(DOMAIN_MOVE);
        FakeMailetConfig config = JavadocExample.mailetConfig(RewriteAddresses.class);
        RewriteAddresses mailet = new RewriteAddresses(metrics, clock, home);
        mailet.init(config);
        MailImpl mail = TestMails.mail("joerg@old.example", MESSAGE, "bob@old.example");

        mailet.service(mail);

        assertThat(mail.getMaybeSender().get().asString()).isEqualTo("joerg@new.example");
    }

    @Test
    void theDiagnosticsMBeanShowsWhatTheRulesWouldDo() throws Exception {
        table(DOMAIN_MOVE);
        mailet("direction", "out");

        List<String> out = RewriteDiagnostics.instance().testRewrite("joerg@old.example", "bob@old.example", "out");
        List<String> in = RewriteDiagnostics.instance().testRewrite("joerg@old.example", "bob@old.example", "in");

        assertThat(out).contains("direction: out")
                .contains("envelope-sender     joerg@old.example -> joerg@new.example  (rule rename)")
                .contains("From:               joerg@old.example -> joerg@new.example  (rule rename)")
                .contains("envelope-recipient  bob@old.example  unchanged");
        assertThat(out.get(0)).endsWith("rewrite.table (2 rules)");
        assertThat(in).contains("envelope-recipient  bob@old.example -> bob@new.example  (rule rename-in)")
                .contains("envelope-sender     joerg@old.example  unchanged");
        assertThatThrownBy(() -> RewriteDiagnostics.instance().testRewrite("a@b.c", "d@e.f", "up"))
                .hasMessage("direction: 'up' is not valid, expected out or in");
    }
}
