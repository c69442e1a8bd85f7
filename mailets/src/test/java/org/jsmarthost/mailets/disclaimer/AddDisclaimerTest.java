package org.jsmarthost.mailets.disclaimer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jsmarthost.core.mime.DisclaimerInserter;
import org.jsmarthost.core.mime.DisclaimerTemplates;
import org.jsmarthost.core.mime.DisclaimerVars;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddDisclaimerTest {
    static final Path CORPUS = Path.of("../core/src/test/resources/org/jsmarthost/core/mime/corpus");
    static final Session SESSION = Session.getInstance(new Properties());
    static final String PHRASE = "If you are not the intended recipient";
    static final String TXT = "Sent by ${sender.name} <${sender}> on ${date}.\nIf you are not the intended recipient, delete this e-mail.";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;
    final RecordingMetricFactory metrics = new RecordingMetricFactory();
    final FakeMailContext context = FakeMailContext.defaultContext();
    final FakeDomainList domains = new FakeDomainList(Set.of("local.example"));

    static final class FakeDomainList implements DomainList {
        final Set<String> domains;

        FakeDomainList(Set<String> domains) {
            this.domains = domains;
        }

        @Override
        public List<Domain> getDomains() {
            return domains.stream().map(Domain::of).collect(java.util.stream.Collectors.toList());
        }

        @Override
        public boolean containsDomain(Domain domain) {
            return domains.contains(domain.asString());
        }

        @Override
        public void addDomain(Domain domain) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeDomain(Domain domain) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Domain getDefaultDomain() {
            return Domain.LOCALHOST;
        }
    }

    @BeforeEach
    void templates() throws Exception {
        Files.writeString(dir.resolve("default.txt"), TXT);
        Files.writeString(dir.resolve("legal.txt"), "LEGAL banner: this message is subject to legal privilege.");
        Files.writeString(dir.resolve("legal.html"), "<p>LEGAL banner: this message is subject to <b>legal privilege</b>.</p>");
    }

    AddDisclaimer mailet(String rules, String... params) throws Exception {
        Files.writeString(dir.resolve("rules.conf"), rules);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("disclaimer").mailetContext(context)
                .setProperty("rules", dir.resolve("rules.conf").toString());
        for (int i = 0; i < params.length; i += 2) {
            config.setProperty(params[i], params[i + 1]);
        }
        AddDisclaimer m = new AddDisclaimer(domains, metrics, CLOCK);
        m.init(config.build());
        return m;
    }

    static byte[] corpus(String name) throws Exception {
        return Files.readAllBytes(CORPUS.resolve(name + ".eml"));
    }

    static FakeMail mail(byte[] raw, String sender, String... recipients) throws Exception {
        FakeMail.Builder b = FakeMail.builder().name("mail1").mimeMessage(new MimeMessage(SESSION, new ByteArrayInputStream(raw)))
                .state("relay").recipients(recipients).size(raw.length);
        if (sender != null) {
            b.sender(sender);
        }
        return b.build();
    }

    static byte[] bytes(Mail mail) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.getMessage().writeTo(out);
        return out.toByteArray();
    }

    static String text(Mail mail) throws Exception {
        return new String(bytes(mail), StandardCharsets.UTF_8);
    }

    static Optional<String> attr(Mail mail, org.apache.mailet.AttributeName name) {
        return mail.getAttribute(name).map(a -> String.valueOf(a.getValue().value()));
    }

    static final String PLAIN = "From: Zoe <zoe@corp.example>\r\nTo: bob@remote.example\r\nSubject: hi\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n\r\nHello Bob\r\n";

    // ---------------------------------------------------------------- parameters

    @Test
    void javadocExampleWithTheShippedConfLoads() throws Exception {
        String old = System.getProperty("working.directory");
        System.setProperty("working.directory", Path.of("..").toAbsolutePath().toString());
        try {
            AddDisclaimer m = new AddDisclaimer(domains, metrics, CLOCK);
            m.init(FakeMailetConfig.builder().mailetName("d").mailetContext(context)
                    .setProperty("rules", "conf/disclaimer/rules.conf")
                    .setProperty("rejectProcessor", "error")
                    .setProperty("unparseableProcessor", "error").build());
            FakeMail mail = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "zoe@corp.example", "bob@remote.example");
            m.service(mail);
            assertThat(attr(mail, AddDisclaimer.REASON)).contains("inserted");
            assertThat(text(mail)).contains("This e-mail from Zoe may contain confidential information.");
        } finally {
            if (old == null) {
                System.clearProperty("working.directory");
            } else {
                System.setProperty("working.directory", old);
            }
        }
    }

    @Test
    void unknownParameterIsRejected() {
        assertThatThrownBy(() -> mailet("* template=default", "rule", "x"))
                .isInstanceOf(MessagingException.class).hasMessageContaining("rule");
    }

    @Test
    void blankProcessorIsRejected() {
        assertThatThrownBy(() -> mailet("* template=default", "rejectProcessor", " "))
                .hasMessage("AddDisclaimer: parameter 'rejectProcessor': ' ' is not a processor name");
        assertThatThrownBy(() -> mailet("* template=default", "unparseableProcessor", ""))
                .hasMessageContaining("parameter 'unparseableProcessor'");
        assertThatThrownBy(() -> mailet("* template=default", "internalCopyProcessor", "relay"))
                .hasMessageContaining("internalCopyProcessor");
    }

    @Test
    void missingRulesFileNamesParameterAndPath() throws Exception {
        AddDisclaimer m = new AddDisclaimer(domains, metrics, CLOCK);
        assertThatThrownBy(() -> m.init(FakeMailetConfig.builder().mailetName("d").mailetContext(context)
                .setProperty("rules", dir.resolve("nope.conf").toString()).build()))
                .hasMessageContaining("parameter 'rules'").hasMessageContaining("nope.conf");
    }

    @Test
    void invalidRuleNamesFileAndLine() {
        assertThatThrownBy(() -> mailet("# x\n* template=default signed=maybe"))
                .hasMessageContaining("rules.conf: line 2: signed: 'maybe' is not valid, expected wrap, skip or reject");
    }

    @Test
    void missingTemplateFileFailsAtInit() {
        assertThatThrownBy(() -> mailet("* template=absent")).hasMessageContaining("absent.txt");
    }

    @Test
    void invalidTemplateNamesFileAndLine() throws Exception {
        Files.writeString(dir.resolve("bad.txt"), "ok\nHello ${recipient}");
        assertThatThrownBy(() -> mailet("* template=bad")).hasMessageContaining("bad.txt: line 2: '${recipient}' is not a known variable");
    }

    // ---------------------------------------------------------------- rule selection

    @Test
    void mostSpecificRuleChoosesTheTemplate() throws Exception {
        AddDisclaimer m = mailet("* template=default\ncorp.example template=legal position=prepend\nceo@corp.example template=none");
        FakeMail a = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "someone@else.example", "bob@remote.example");
        FakeMail b = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "zoe@corp.example", "bob@remote.example");
        FakeMail c = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "ceo@corp.example", "bob@remote.example");
        m.service(a);
        m.service(b);
        m.service(c);
        assertThat(text(a)).contains(PHRASE).doesNotContain("LEGAL");
        assertThat(attr(a, AddDisclaimer.TEMPLATE)).contains("default");
        assertThat(attr(a, AddDisclaimer.RULE)).contains("* (line 1)");
        String legal = text(b);
        assertThat(legal).contains("LEGAL banner").doesNotContain(PHRASE);
        assertThat(legal.indexOf("LEGAL banner")).isLessThan(legal.indexOf("Hello Bob"));
        assertThat(legal).contains("X-Smarthost-Disclaimer: legal");
        assertThat(attr(b, AddDisclaimer.RULE)).contains("corp.example (line 2)");
        assertThat(bytes(c)).isEqualTo(PLAIN.getBytes(StandardCharsets.US_ASCII));
        assertThat(attr(c, AddDisclaimer.REASON)).contains("rule-none");
        assertThat(metrics.countFor("smarthost_disclaimer_inserted")).isEqualTo(2);
        assertThat(metrics.countFor("smarthost_disclaimer_rule_none")).isEqualTo(1);
    }

    @Test
    void noMatchingRuleAndNullSender() throws Exception {
        AddDisclaimer m = mailet("corp.example template=default");
        FakeMail other = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "x@other.example", "bob@remote.example");
        FakeMail bounce = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), null, "bob@remote.example");
        m.service(other);
        m.service(bounce);
        assertThat(attr(other, AddDisclaimer.REASON)).contains("no-rule");
        assertThat(attr(bounce, AddDisclaimer.REASON)).contains("no-rule");
        assertThat(bytes(other)).isEqualTo(PLAIN.getBytes(StandardCharsets.US_ASCII));
        assertThat(metrics.countFor("smarthost_disclaimer_no_rule")).isEqualTo(2);
    }

    @Test
    void variablesComeFromEnvelopeSenderAndMatchingFromDisplayName() throws Exception {
        AddDisclaimer m = mailet("* template=default");
        FakeMail same = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "zoe@corp.example", "bob@remote.example");
        FakeMail other = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "list@corp.example", "bob@remote.example");
        m.service(same);
        m.service(other);
        assertThat(text(same)).contains("Sent by Zoe <zoe@corp.example> on 2026-11-28.");
        assertThat(text(other)).contains("Sent by list@corp.example <list@corp.example> on 2026-11-28.");
    }

    // ---------------------------------------------------------------- scope

    @Test
    void anyExternalSkipsMailWithOnlyInternalRecipients() throws Exception {
        AddDisclaimer m = mailet("internal corp.example .corp.example\n* template=default");
        FakeMail internal = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "zoe@corp.example", "a@corp.example", "b@eu.corp.example", "c@local.example");
        FakeMail mixed = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "zoe@corp.example", "a@corp.example", "bob@remote.example");
        m.service(internal);
        m.service(mixed);
        assertThat(attr(internal, AddDisclaimer.REASON)).contains("internal-only");
        assertThat(bytes(internal)).isEqualTo(PLAIN.getBytes(StandardCharsets.US_ASCII));
        assertThat(attr(mixed, AddDisclaimer.REASON)).contains("inserted");
        assertThat(mixed.getRecipients()).hasSize(2);
        assertThat(context.getSentMails()).isEmpty();
        assertThat(metrics.countFor("smarthost_disclaimer_internal_only")).isEqualTo(1);
    }

    @Test
    void scopeAllAddsItForInternalRecipientsToo() throws Exception {
        AddDisclaimer m = mailet("* template=default scope=all");
        FakeMail internal = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "zoe@corp.example", "c@local.example");
        m.service(internal);
        assertThat(attr(internal, AddDisclaimer.REASON)).contains("inserted");
    }

    @Test
    void externalOnlyWithoutTheMatcherAddsItForAllRecipients() throws Exception {
        AddDisclaimer m = mailet("internal corp.example\n* template=default scope=external-only");
        FakeMail mixed = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "zoe@corp.example", "a@corp.example", "bob@remote.example");
        m.service(mixed);
        assertThat(mixed.getRecipients()).hasSize(2);
        assertThat(attr(mixed, AddDisclaimer.REASON)).contains("inserted");
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void externalOnlyWithOnlyInternalRecipientsIsSkipped() throws Exception {
        AddDisclaimer m = mailet("internal corp.example\n* template=default scope=external-only");
        FakeMail internal = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "zoe@corp.example", "a@corp.example");
        m.service(internal);
        assertThat(attr(internal, AddDisclaimer.REASON)).contains("internal-only");
    }

    // ---------------------------------------------------------------- signed, attachment-only, errors

    @Test
    void signedWrapIsDefault() throws Exception {
        AddDisclaimer m = mailet("* template=default");
        FakeMail signed = mail(corpus("22-smime-signed"), "zoe@corp.example", "bob@remote.example");
        m.service(signed);
        assertThat(attr(signed, AddDisclaimer.REASON)).contains("wrapped-signed");
        assertThat(signed.getMessage().getContentType()).startsWith("multipart/mixed");
        assertThat(signed.getState()).isEqualTo("relay");
        assertThat(metrics.countFor("smarthost_disclaimer_wrapped_signed")).isEqualTo(1);
    }

    @Test
    void signedSkipLeavesItUnchanged() throws Exception {
        AddDisclaimer m = mailet("* template=default signed=skip");
        byte[] raw = corpus("24-pgp-mime-signed");
        FakeMail signed = mail(raw, "zoe@corp.example", "bob@remote.example");
        m.service(signed);
        assertThat(attr(signed, AddDisclaimer.REASON)).contains("signed-skip");
        assertThat(bytes(signed)).isEqualTo(raw);
        assertThat(signed.getState()).isEqualTo("relay");
    }

    @Test
    void signedRejectGoesToTheRejectProcessorUnchangedWithAReason() throws Exception {
        AddDisclaimer m = mailet("* template=default signed=reject", "rejectProcessor", "disclaimer-rejected");
        byte[] raw = corpus("23-smime-opaque");
        FakeMail signed = mail(raw, "zoe@corp.example", "bob@remote.example");
        m.service(signed);
        assertThat(attr(signed, AddDisclaimer.REASON)).contains("signed-reject");
        assertThat(signed.getState()).isEqualTo("disclaimer-rejected");
        assertThat(signed.getErrorMessage()).startsWith("AddDisclaimer: signed-reject");
        assertThat(bytes(signed)).isEqualTo(raw);
        assertThat(metrics.countFor("smarthost_disclaimer_signed_reject")).isEqualTo(1);
    }

    @Test
    void rejectProcessorDefaultsToError() throws Exception {
        AddDisclaimer m = mailet("* template=default signed=reject");
        FakeMail signed = mail(corpus("23-smime-opaque"), "zoe@corp.example", "bob@remote.example");
        m.service(signed);
        assertThat(signed.getState()).isEqualTo(Mail.ERROR);
    }

    @Test
    void unparseableMailGoesUnchangedToTheConfiguredProcessor() throws Exception {
        AddDisclaimer m = mailet("* template=default", "unparseableProcessor", "broken");
        byte[] raw = corpus("35-broken-no-boundary");
        FakeMail broken = mail(raw, "zoe@corp.example", "bob@remote.example");
        m.service(broken);
        assertThat(attr(broken, AddDisclaimer.REASON)).contains("unparseable");
        assertThat(broken.getState()).isEqualTo("broken");
        assertThat(broken.getErrorMessage()).startsWith("AddDisclaimer: unparseable");
        assertThat(bytes(broken)).isEqualTo(raw);
        assertThat(broken.getRecipients()).containsExactly(new MailAddress("bob@remote.example"));
        assertThat(metrics.countFor("smarthost_disclaimer_unparseable")).isEqualTo(1);
    }

    @Test
    void brokenMessageThatJavaxMailCannotReserialiseIsStillRoutedUnchanged() throws Exception {
        // like James's MimeMessageWrapper after an earlier mailet changed a header: writeTo saves first, which
        // re-parses the multipart and fails on a broken one
        byte[] raw = corpus("35-broken-no-boundary");
        MimeMessage saving = new MimeMessage(SESSION, new ByteArrayInputStream(raw)) {
            @Override
            public void writeTo(java.io.OutputStream os) throws java.io.IOException, MessagingException {
                saveChanges();
                super.writeTo(os);
            }
        };
        assertThatThrownBy(() -> saving.writeTo(new ByteArrayOutputStream())).isInstanceOf(MessagingException.class);
        FakeMail broken = FakeMail.builder().name("b").mimeMessage(saving).sender("zoe@corp.example")
                .recipients("bob@remote.example").state("relay").build();
        mailet("* template=default").service(broken);
        assertThat(attr(broken, AddDisclaimer.REASON)).contains("unparseable");
        assertThat(broken.getState()).isEqualTo(Mail.ERROR);
        assertThat(broken.getMessage()).isSameAs(saving);
    }

    @Test
    void partInAnUnknownCharsetIsUndecodableAndGoesUnchangedToTheUnparseableProcessor() throws Exception {
        AddDisclaimer m = mailet("* template=default");
        byte[] raw = ("From: zoe@corp.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=x-no-such-charset\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Body \u00e9\u00e8\r\n").getBytes(StandardCharsets.ISO_8859_1);
        FakeMail mail = mail(raw, "zoe@corp.example", "bob@remote.example");
        m.service(mail);
        assertThat(attr(mail, AddDisclaimer.REASON)).contains("undecodable-part");
        assertThat(mail.getState()).isEqualTo(Mail.ERROR);
        assertThat(mail.getErrorMessage()).startsWith("AddDisclaimer: undecodable-part");
        assertThat(bytes(mail)).isEqualTo(raw);
    }

    @Test
    void attachmentOnlyPolicies() throws Exception {
        AddDisclaimer m = mailet("* template=default\nskip.example template=default attachment-only=skip");
        byte[] raw = corpus("21-single-entity-pdf");
        FakeMail added = mail(raw, "zoe@corp.example", "bob@remote.example");
        FakeMail skipped = mail(raw, "zoe@skip.example", "bob@remote.example");
        m.service(added);
        m.service(skipped);
        assertThat(attr(added, AddDisclaimer.REASON)).contains("added-part");
        assertThat(attr(skipped, AddDisclaimer.REASON)).contains("no-text-body");
        assertThat(bytes(skipped)).isEqualTo(raw);
    }

    @Test
    void alreadyPresentIsSkipped() throws Exception {
        AddDisclaimer m = mailet("* template=default");
        FakeMail first = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "zoe@corp.example", "bob@remote.example");
        m.service(first);
        byte[] once = bytes(first);
        FakeMail second = mail(once, "zoe@corp.example", "bob@remote.example");
        m.service(second);
        assertThat(attr(second, AddDisclaimer.REASON)).contains("already-present");
        assertThat(bytes(second)).isEqualTo(once);
    }

    // ---------------------------------------------------------------- bytes, reload

    @Test
    void resultIsExactlyTheInsertersOutput() throws Exception {
        AddDisclaimer m = mailet("* template=default");
        for (String name : List.of("16-mixed-binaries", "18-forwarded-rfc822", "06-plain-flowed", "33-html-cp1252")) {
            byte[] raw = corpus(name);
            FakeMail mail = mail(raw, "zoe@example.com", "bob@remote.example");
            m.service(mail);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            new DisclaimerInserter().insert(raw, expected, org.jsmarthost.core.mime.DisclaimerSpec.defaults(),
                    DisclaimerTemplates.of(TXT, null).render(DisclaimerVars.of("zoe@example.com", displayName(raw),
                            ZonedDateTime.now(CLOCK))));
            assertThat(bytes(mail)).as(name).isEqualTo(expected.toByteArray());
        }
    }

    /** Above IN_HEAP_LIMIT the mailet goes through temporary files; below it through byte arrays: same bytes. */
    @Test
    void smallAndLargeMessagesGiveExactlyTheInsertersOutput() throws Exception {
        AddDisclaimer m = mailet("* template=default");
        for (int bodySize : new int[] {AddDisclaimer.IN_HEAP_LIMIT / 2, AddDisclaimer.IN_HEAP_LIMIT * 3}) {
            StringBuilder raw = new StringBuilder("From: zoe@example.com\r\nTo: bob@remote.example\r\nSubject: size\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n");
            for (int line = 0; raw.length() < bodySize; line++) {
                raw.append("line ").append(line).append(" of a message of about ").append(bodySize).append(" bytes\r\n");
            }
            byte[] in = raw.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            FakeMail mail = mail(in, "zoe@example.com", "bob@remote.example");
            m.service(mail);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            new DisclaimerInserter().insert(in, expected, org.jsmarthost.core.mime.DisclaimerSpec.defaults(),
                    DisclaimerTemplates.of(TXT, null).render(DisclaimerVars.of("zoe@example.com", null,
                            ZonedDateTime.now(CLOCK))));
            assertThat(bytes(mail)).as("body of %d bytes", bodySize).isEqualTo(expected.toByteArray());
            assertThat(new String(bytes(mail), java.nio.charset.StandardCharsets.US_ASCII))
                .contains(raw.substring(raw.indexOf("\r\n\r\n") + 4));
        }
    }

    private static String displayName(byte[] raw) throws Exception {
        javax.mail.Address[] from = new MimeMessage(SESSION, new ByteArrayInputStream(raw)).getFrom();
        javax.mail.internet.InternetAddress a = (javax.mail.internet.InternetAddress) from[0];
        return "zoe@example.com".equalsIgnoreCase(a.getAddress()) ? a.getPersonal() : null;
    }

    @Test
    void editedTemplateAppliesToTheNextMail() throws Exception {
        AddDisclaimer m = mailet("* template=default");
        FakeMail before = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "zoe@corp.example", "bob@remote.example");
        m.service(before);
        Files.writeString(dir.resolve("default.txt"), "Edited: this disclaimer was changed while running, really.");
        FakeMail after = mail(PLAIN.getBytes(StandardCharsets.US_ASCII), "zoe@corp.example", "bob@remote.example");
        m.service(after);
        assertThat(text(before)).contains(PHRASE);
        assertThat(text(after)).contains("Edited: this disclaimer was changed").doesNotContain(PHRASE);
    }

    @Test
    void htmlTemplateIsUsedWhenPresent() throws Exception {
        AddDisclaimer m = mailet("* template=legal");
        FakeMail html = mail(corpus("11-html-utf8-qp"), "zoe@corp.example", "bob@remote.example");
        m.service(html);
        String out = new String(javax.mail.internet.MimeUtility.decode(
                new ByteArrayInputStream(bytes(html)), "7bit").readAllBytes(), StandardCharsets.UTF_8);
        assertThat((String) html.getMessage().getContent()).contains("<b>legal privilege</b>");
        assertThat(out).contains("X-Smarthost-Disclaimer: legal");
    }

    // ---------------------------------------------------------------- out of memory

    /** A message whose first {@code failures} serialisations run out of memory (as a large in-place edit would). */
    static final class OutOfMemoryMessage extends MimeMessage {
        int failures;

        OutOfMemoryMessage(byte[] raw, int failures) throws MessagingException {
            super(SESSION, new ByteArrayInputStream(raw));
            this.failures = failures;
        }

        @Override
        public void writeTo(java.io.OutputStream os) throws java.io.IOException, MessagingException {
            if (failures > 0) {
                failures--;
                throw new OutOfMemoryError("Java heap space");
            }
            super.writeTo(os);
        }
    }

    @Test
    void outOfMemoryInPlaceFallsBackToTheDisclaimerAsAPartOfItsOwn() throws Exception {
        AddDisclaimer m = mailet("* template=default");
        byte[] raw = PLAIN.getBytes(StandardCharsets.US_ASCII);
        FakeMail mail = FakeMail.builder().name("big1").mimeMessage(new OutOfMemoryMessage(raw, 1)).state("relay")
                .recipients("bob@remote.example").sender("zoe@corp.example").size(raw.length).build();
        m.service(mail);
        assertThat(attr(mail, AddDisclaimer.REASON)).contains("added-part");
        assertThat(mail.getState()).isEqualTo("relay");
        MimeMessage out = mail.getMessage();
        assertThat(out.getContentType()).startsWith("multipart/mixed");
        javax.mail.internet.MimeMultipart parts = (javax.mail.internet.MimeMultipart) out.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat((String) parts.getBodyPart(0).getContent()).isEqualTo("Hello Bob\r\n");
        assertThat((String) parts.getBodyPart(1).getContent()).contains(PHRASE);
    }

    @Test
    void outOfMemoryTwiceFailsTheMailUnchangedWithAReasonNamingIt() throws Exception {
        AddDisclaimer m = mailet("* template=default");
        byte[] raw = PLAIN.getBytes(StandardCharsets.US_ASCII);
        OutOfMemoryMessage message = new OutOfMemoryMessage(raw, 2);
        FakeMail mail = FakeMail.builder().name("big2").mimeMessage(message).state("relay")
                .recipients("bob@remote.example").sender("zoe@corp.example").size(raw.length).build();
        assertThatThrownBy(() -> m.service(mail)).isInstanceOf(MessagingException.class)
                .hasMessageContaining("disclaimer: out of memory while processing mail big2 (" + raw.length + " bytes")
                .hasMessageContaining("Java heap space");
        assertThat(mail.getMessage()).isSameAs(message);
        assertThat(bytes(mail)).isEqualTo(raw);
        assertThat(mail.getState()).isEqualTo("relay");
    }
}
