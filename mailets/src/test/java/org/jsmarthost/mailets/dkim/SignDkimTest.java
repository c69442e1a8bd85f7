package org.jsmarthost.mailets.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jsmarthost.core.dkim.DkimKeys;
import org.jsmarthost.core.dkim.DkimVerificationResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignDkimTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path home;
    private Path dkim;
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();

    @BeforeEach
    void tables() throws Exception {
        dkim = DkimTestSupport.writeTables(home);
    }

    private SignDkim init(String... params) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("sign");
        for (int i = 0; i < params.length; i += 2) {
            config.setProperty(params[i], params[i + 1]);
        }
        SignDkim mailet = new SignDkim(metrics, CLOCK, home);
        mailet.init(config.build());
        return mailet;
    }

    private List<DkimVerificationResult> verify(MimeMessage message) throws Exception {
        // at the signer's (fixed) time: a signature with x= would otherwise expire once the real date passes it
        return DkimTestSupport.verify(message, dkim.resolve("keytable"), dkim.resolve("signingtable"), CLOCK);
    }

    /** Signature fields on top, then exactly the bytes that were signed: nothing moved above them, nothing re-encoded. */
    @Test
    void theSignedMessageIsTheSignatureFieldsFollowedByTheBytesSigned() throws Exception {
        SignDkim mailet = init();
        byte[] raw = DkimTestSupport.simple("joe@example.com").replace("MIME-Version: 1.0\n", "").replace("\n", "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        MimeMessage message = new org.apache.james.server.core.MimeMessageWrapper(
                org.apache.james.server.core.MimeMessageInputStreamSource.create("m1", new java.io.ByteArrayInputStream(raw)));
        org.apache.james.server.core.MailImpl mail = org.apache.james.server.core.MailImpl.builder().name("mail-1")
                .mimeMessage(message).sender("joe@example.com").addRecipient("bob@remote.example").build();
        mail.getMessage().saveChanges(); // what SignDkim does first: adds MIME-Version (James keeps the Message-ID)
        String before = new String(DkimTestSupport.bytes(mail.getMessage()), StandardCharsets.UTF_8);

        mailet.service(mail);

        String after = new String(DkimTestSupport.bytes(mail.getMessage()), StandardCharsets.UTF_8);
        String[] fields = mail.getMessage().getHeader("DKIM-Signature");
        assertThat(fields).hasSize(2);
        assertThat(after).startsWith("DKIM-Signature: v=1; a=rsa-sha256;").endsWith(before)
                .contains("\r\nDKIM-Signature: v=1; a=ed25519-sha256;");
        assertThat(after.substring(0, after.length() - before.length())).doesNotContain("MIME-Version")
                .matches("(?s)DKIM-Signature: [^\n]*(\r\n\t[^\n]*)*\r\nDKIM-Signature: [^\n]*(\r\n\t[^\n]*)*\r\n");
        assertThat(verify(mail.getMessage())).hasSize(2).allMatch(DkimVerificationResult::passed);
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SIGNED_MESSAGE)).isPresent();
    }

    @Test
    void theJavadocExampleInitialises() throws Exception {
        String source = Files.readString(Path.of("src/main/java/org/jsmarthost/mailets/dkim/SignDkim.java"), StandardCharsets.UTF_8);
        Matcher example = Pattern.compile("&lt;mailet match=\"All\" class=\"org.jsmarthost.mailets.dkim.SignDkim\"&gt;(.*?)&lt;/mailet&gt;",
                Pattern.DOTALL).matcher(source);
        assertThat(example.find()).isTrue();
        Matcher param = Pattern.compile("&lt;(\\w+)&gt;([^&]*)&lt;/\\1&gt;").matcher(example.group(1));
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("sign");
        int count = 0;
        while (param.find()) {
            config.setProperty(param.group(1), param.group(2));
            count++;
        }
        assertThat(count).isEqualTo(9);
        SignDkim mailet = new SignDkim(metrics, CLOCK, home);
        mailet.init(config.build());
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));
        mailet.service(mail);
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SIGNED)).isPresent();
    }

    @Test
    void serviceShouldDualSignWhenTheFromDomainHasRsaAndEd25519Keys() throws Exception {
        SignDkim mailet = init();
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));

        mailet.service(mail);

        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SIGNED))
                .contains("d=example.com s=s1 a=rsa-sha256, d=example.com s=e1 a=ed25519-sha256");
        String[] sigs = mail.getMessage().getHeader("DKIM-Signature");
        assertThat(sigs).hasSize(2);
        assertThat(sigs[0]).contains("a=rsa-sha256").contains("t=1795860000");
        String raw = new String(DkimTestSupport.bytes(mail.getMessage()), StandardCharsets.ISO_8859_1);
        assertThat(raw).startsWith("DKIM-Signature: v=1; a=rsa-sha256;");
        assertThat(verify(mail.getMessage())).hasSize(2).allMatch(DkimVerificationResult::passed);
        assertThat(metrics.countFor("smarthost_dkim_signed")).isEqualTo(1);
        assertThat(mail.getState()).isNotEqualTo("error");
    }

    @Test
    void outOfMemoryWhileSigningFailsTheMailUnsignedWithAReasonInsteadOfEscapingToJames() throws Exception {
        SignDkim mailet = init();
        MimeMessage message = new MimeMessage(javax.mail.Session.getInstance(new java.util.Properties()),
                new java.io.ByteArrayInputStream(DkimTestSupport.simple("joe@example.com").getBytes(StandardCharsets.ISO_8859_1))) {
            @Override
            public void writeTo(java.io.OutputStream os) {
                throw new OutOfMemoryError("Java heap space");
            }

            @Override
            public java.io.InputStream getRawInputStream() {
                throw new OutOfMemoryError("Java heap space");
            }
        };
        FakeMail mail = FakeMail.builder().name("big").mimeMessage(message).sender("joe@example.com")
                .recipients("bob@remote.example").build();

        assertThatThrownBy(() -> mailet.service(mail)).isInstanceOf(javax.mail.MessagingException.class)
                .hasMessageContaining("sign: out of memory while processing mail big")
                .hasMessageContaining("Java heap space");
        assertThat(message.getHeader("DKIM-Signature")).isNull();
        assertThat(DkimMailAttributes.signedAlready(mail)).isFalse();
    }

    @Test
    void serviceShouldSignWithTheSubdomainKeyOnlyForItsDomain() throws Exception {
        SignDkim mailet = init();
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("ceo@shop.example.org"));

        mailet.service(mail);

        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SIGNED)).contains("d=shop.example.org s=mail a=rsa-sha256");
        assertThat(verify(mail.getMessage())).singleElement().matches(DkimVerificationResult::passed);
    }

    @Test
    void serviceShouldNotSignAForeignFromDomainAndSayWhy() throws Exception {
        SignDkim mailet = init();
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("someone@other.example"));

        mailet.service(mail);

        assertThat(mail.getMessage().getHeader("DKIM-Signature")).isNull();
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.NOT_SIGNED)).contains("no DKIM key for From domain other.example");
        assertThat(DkimMailAttributes.signedAlready(mail)).isFalse();
        assertThat(metrics.countFor("smarthost_dkim_not_signed")).isEqualTo(1);
    }

    @Test
    void serviceShouldNotSignWhenTheEnvelopeIsOursButTheHeaderFromIsNot() throws Exception {
        SignDkim mailet = init();
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com.evil.example"));

        mailet.service(mail);

        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.NOT_SIGNED)).contains("no DKIM key for From domain example.com.evil.example");
    }

    @Test
    void serviceShouldNotSignTwoFromFields() throws Exception {
        SignDkim mailet = init();
        FakeMail mail = DkimTestSupport.mail("From: a@example.com\nFrom: b@example.com\nSubject: x\n\nbody\n");

        mailet.service(mail);

        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.NOT_SIGNED)).contains("2 From header fields, expected one");
    }

    @Test
    void eightBitBodyIsConvertedToQuotedPrintableBeforeSigning() throws Exception {
        SignDkim mailet = init();
        FakeMail mail = DkimTestSupport.mail("From: joe@example.com\nTo: bob@remote.example\nSubject: grüße\nMIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGrüße aus Zürich\n");

        mailet.service(mail);

        MimeMessage m = mail.getMessage();
        assertThat(m.getEncoding()).isEqualTo("quoted-printable");
        assertThat(m.getContentType()).contains("charset=utf-8");
        assertThat(((String) m.getContent()).trim()).isEqualTo("Grüße aus Zürich");
        String raw = new String(DkimTestSupport.bytes(m), StandardCharsets.ISO_8859_1);
        assertThat(raw).contains("Gr=C3=BC=C3=9Fe aus Z=C3=BCrich");
        assertThat(raw.substring(raw.indexOf("\r\n\r\n")).chars().filter(c -> c > 127).count()).as("no 8bit left in the body").isZero();
        assertThat(verify(m)).hasSize(2).allMatch(DkimVerificationResult::passed);
        assertThat(metrics.countFor("smarthost_dkim_8bit_converted")).isEqualTo(1);
    }

    @Test
    void eightBitPartsOfAMultipartAreConvertedAndTheOthersKept() throws Exception {
        SignDkim mailet = init();
        FakeMail mail = DkimTestSupport.mail("From: joe@example.com\nTo: bob@remote.example\nSubject: parts\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\n\npreamble\n--b1\nContent-Type: text/plain; charset=utf-8\n"
                + "Content-Transfer-Encoding: 8bit\n\nkäse\n--b1\nContent-Type: text/plain; charset=us-ascii\n\nplain ascii\n"
                + "--b1\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n\u00ff\u00fe\n--b1--\n");

        mailet.service(mail);

        String raw = new String(DkimTestSupport.bytes(mail.getMessage()), StandardCharsets.ISO_8859_1);
        assertThat(raw).contains("k=C3=A4se").contains("plain ascii").contains("Content-Transfer-Encoding: base64");
        assertThat(raw.chars().filter(c -> c > 127).count()).isZero();
        assertThat(verify(mail.getMessage())).hasSize(2).allMatch(DkimVerificationResult::passed);
    }

    @Test
    void eightBitRefuseSendsTheMailToTheRefuseProcessorUnsigned() throws Exception {
        SignDkim mailet = init("eightBit", "refuse", "refuseProcessor", "dkim-refused");
        FakeMail mail = DkimTestSupport.mail("From: joe@example.com\nSubject: x\nContent-Type: text/plain; charset=utf-8\n"
                + "Content-Transfer-Encoding: 8bit\n\nkäse\n");

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo("dkim-refused");
        assertThat(mail.getMessage().getHeader("DKIM-Signature")).isNull();
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.NOT_SIGNED)).hasValueSatisfying(
                reason -> assertThat(reason).contains("8bit body and eightBit=refuse").contains("dkim-refused"));
        assertThat(metrics.countFor("smarthost_dkim_8bit_refused")).isEqualTo(1);
    }

    @Test
    void simpleCanonicalizationWithoutTimestampAndWithExpiry() throws Exception {
        SignDkim mailet = init("canonicalization", "simple/simple", "timestamp", "false", "expiry", "7d",
                "headers", "From, To, Subject", "oversign", "none");
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));

        mailet.service(mail);

        String sig = mail.getMessage().getHeader("DKIM-Signature")[0].replaceAll("\\s+", "");
        assertThat(sig).contains("c=simple/simple;").contains("h=from:to:subject;").contains("x=" + (1795860000L + 7 * 86400))
                .contains("t=1795860000");
        assertThat(verify(mail.getMessage())).allMatch(DkimVerificationResult::passed);
    }

    @Test
    void changedTablesAreReloadedWithoutRestart() throws Exception {
        SignDkim mailet = init("reloadCheckInterval", "0s");
        FakeMail before = DkimTestSupport.mail(DkimTestSupport.simple("joe@new.example"));
        mailet.service(before);
        assertThat(DkimMailAttributes.get(before, DkimMailAttributes.NOT_SIGNED)).isPresent();

        DkimKeys.writePkcs8Pem(DkimTestSupport.ED, dkim.resolve("keys/new.pem"));
        Files.writeString(dkim.resolve("keytable"), "new domain=new.example selector=n1 algorithm=ed25519 key=keys/new.pem\n",
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(dkim.resolve("signingtable"), "new.example new\n", java.nio.file.StandardOpenOption.APPEND);
        FakeMail after = DkimTestSupport.mail(DkimTestSupport.simple("joe@new.example"));
        mailet.service(after);

        assertThat(DkimMailAttributes.get(after, DkimMailAttributes.SIGNED)).contains("d=new.example s=n1 a=ed25519-sha256");
        assertThat(metrics.countFor("smarthost_dkim_reload")).isEqualTo(1);
    }

    @Test
    void aBrokenEditKeepsTheOldTablesInUse() throws Exception {
        SignDkim mailet = init("reloadCheckInterval", "0s");
        Files.writeString(dkim.resolve("signingtable"), "example.com nosuchkey\n");

        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));
        mailet.service(mail);

        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SIGNED)).isPresent();
    }

    @Test
    void initShouldRejectAnUnknownParameter() {
        assertThatThrownBy(() -> init("keytable", "x"))
                .hasMessageContaining("unknown parameter(s) [keytable]").hasMessageContaining("keyTable");
    }

    @Test
    void initShouldRejectBadValuesNamingTheParameter() {
        Map<String[], String> cases = Map.of(
                new String[] {"canonicalization", "loose"}, "canonicalization: 'loose' is not valid",
                new String[] {"headers", "To, Subject"}, "lacks From",
                new String[] {"headers", "From, Received"}, "'Received' is a trace field",
                new String[] {"oversign", "Return-Path"}, "trace field",
                new String[] {"timestamp", "yes"}, "timestamp: 'yes' is not valid, expected true or false",
                new String[] {"expiry", "7 weeks"}, "expiry: '7 weeks' is not valid",
                new String[] {"expiry", "0d"}, "expiry: '0d' is not valid",
                new String[] {"eightBit", "allow"}, "eightBit: 'allow' is not valid, expected one of [convert, refuse]",
                new String[] {"reloadCheckInterval", "-1s"}, "reloadCheckInterval: '-1s' is not valid",
                new String[] {"refuseProcessor", " "}, "refuseProcessor: empty");
        cases.forEach((param, message) -> assertThatThrownBy(() -> init(param[0], param[1]))
                .as(param[0] + "=" + param[1]).isInstanceOf(MessagingException.class).hasMessageContaining(message));
    }

    @Test
    void initShouldRejectABadRsaEngineNamingTheParameter() {
        assertThatThrownBy(() -> init("rsaEngine", "native")).isInstanceOf(MessagingException.class)
                .hasMessage("rsaEngine: 'native' is not valid, expected one of [auto, openssl, jdk]");
    }

    @Test
    void everyRsaEngineSignsVerifiably() throws Exception {
        // byte equality of the engines is checked in core (OpenSslRsaTest); here Message-ID changes per mail
        for (String engine : List.of("openssl", "jdk", "auto")) {
            SignDkim mailet = init("rsaEngine", engine);
            FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));
            mailet.service(mail);
            assertThat(verify(mail.getMessage())).as(engine).hasSize(2).allMatch(DkimVerificationResult::passed);
            assertThat(mail.getMessage().getHeader("DKIM-Signature")[0]).as(engine).contains("a=rsa-sha256");
        }
    }

    @Test
    void initShouldFailNamingTheTableFileAndLine() throws Exception {
        Files.writeString(dkim.resolve("signingtable"), "example.com ex-rsa\nother.example nokey\n");
        assertThatThrownBy(this::init).hasMessageContaining("signingtable line 2: key name 'nokey' is not defined");

        assertThatThrownBy(() -> init("keyTable", "conf/dkim/missing"))
                .hasMessageContaining("keyTable/signingTable").hasMessageContaining("missing: cannot read");
    }
}
