package org.jsmarthost.mailets.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;

import javax.mail.MessagingException;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyDkimBeforeDeliveryTest {
    @TempDir
    Path home;
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private SignDkim sign;
    private VerifyDkimBeforeDelivery verify;

    @BeforeEach
    void setUp() throws Exception {
        DkimTestSupport.writeTables(home);
        sign = new SignDkim(metrics, Clock.systemUTC(), home);
        sign.init(FakeMailetConfig.builder().mailetName("sign").build());
        verify = new VerifyDkimBeforeDelivery(metrics, Clock.systemUTC(), home);
        verify.init(FakeMailetConfig.builder().mailetName("verify").setProperty("failureProcessor", "dkim-broken").build());
    }

    @Test
    void anUntouchedSignedMailPasses() throws Exception {
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));
        mail.setState("relay");
        sign.service(mail);

        verify.service(mail);

        assertThat(mail.getState()).isEqualTo("relay");
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SELF_VERIFY)).contains("pass");
        assertThat(metrics.countFor("smarthost_dkim_selfverify_pass")).isEqualTo(1);
        assertThat(metrics.countFor("smarthost_dkim_selfverify_unchanged")).as("passed by the digest of the bytes").isEqualTo(1);
    }

    /** As in the server: James's MimeMessageWrapper over received bytes, signed, then checked. */
    @Test
    void anUntouchedJamesMessagePassesByItsDigest() throws Exception {
        byte[] raw = DkimTestSupport.simple("joe@example.com").replace("\n", "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        org.apache.james.server.core.MimeMessageWrapper message = new org.apache.james.server.core.MimeMessageWrapper(
                org.apache.james.server.core.MimeMessageInputStreamSource.create("m1", new java.io.ByteArrayInputStream(raw)));
        org.apache.james.server.core.MailImpl mail = org.apache.james.server.core.MailImpl.builder().name("mail-1")
                .mimeMessage(message).sender("joe@example.com").addRecipient("bob@remote.example").state("relay").build();
        sign.service(mail);
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SIGNED_MESSAGE)).isPresent();

        verify.service(mail);

        assertThat(mail.getState()).isEqualTo("relay");
        assertThat(metrics.countFor("smarthost_dkim_selfverify_unchanged")).isEqualTo(1);
        assertThat(DkimTestSupport.verify(mail.getMessage(), home.resolve("conf/dkim/keytable"), home.resolve("conf/dkim/signingtable")))
                .hasSize(2).allSatisfy(r -> assertThat(r.passed()).isTrue());
    }

    @Test
    void aMailThatCarriedADkimSignatureBeforeIsCheckedInFull() throws Exception {
        FakeMail mail = DkimTestSupport.mail("DKIM-Signature: v=1; a=rsa-sha256; d=author.example; s=x; h=from; bh=x; b=y\n"
                + DkimTestSupport.simple("joe@example.com"));
        mail.setState("relay");
        sign.service(mail);
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SIGNED_MESSAGE)).isEmpty();

        verify.service(mail);

        assertThat(mail.getState()).isEqualTo("relay");
        assertThat(metrics.countFor("smarthost_dkim_selfverify_pass")).isEqualTo(1);
        assertThat(metrics.countFor("smarthost_dkim_selfverify_unchanged")).isZero();
    }

    private FakeMail signedInRelay() throws Exception {
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));
        mail.setState("relay");
        sign.service(mail);
        return mail;
    }

    @Test
    void aRecordThatDoesNotMatchTheBytesLeavesTheVerdictToTheFullCheck() throws Exception {
        FakeMail mail = signedInRelay();
        String record = DkimMailAttributes.get(mail, DkimMailAttributes.SIGNED_MESSAGE).orElseThrow();
        String[] parts = record.split(" ");
        parts[4] = java.util.Base64.getEncoder().encodeToString(new byte[32]); // another digest of the signed bytes
        DkimMailAttributes.set(mail, DkimMailAttributes.SIGNED_MESSAGE, String.join(" ", parts));

        verify.service(mail);

        assertThat(mail.getState()).isEqualTo("relay");
        assertThat(metrics.countFor("smarthost_dkim_selfverify_pass")).isEqualTo(1);
        assertThat(metrics.countFor("smarthost_dkim_selfverify_unchanged")).isZero();
    }

    @Test
    void aKeyNoLongerInTheTableIsNotPassedByTheDigest() throws Exception {
        FakeMail mail = signedInRelay();
        String record = DkimMailAttributes.get(mail, DkimMailAttributes.SIGNED_MESSAGE).orElseThrow();
        DkimMailAttributes.set(mail, DkimMailAttributes.SIGNED_MESSAGE, record.replace("example.com/s1", "gone.example/s1"));

        verify.service(mail);

        assertThat(metrics.countFor("smarthost_dkim_selfverify_unchanged")).isZero();
        assertThat(metrics.countFor("smarthost_dkim_selfverify_pass")).isEqualTo(1); // the full check: both signatures ours and valid
    }

    @Test
    void signDkimRecordsTheDigestsAndWithoutThemTheOrdinaryVerificationRuns() throws Exception {
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));
        mail.setState("relay");
        sign.service(mail);
        String b = mail.getMessage().getHeader("DKIM-Signature")[0].replaceAll("\\s", "").replaceAll("^.*;b=", "");
        assertThat(DkimMailAttributes.signedDigests(mail)).containsKey(b)
            .hasSize(mail.getMessage().getHeader("DKIM-Signature").length);

        mail.removeAttribute(DkimMailAttributes.SIGNED_DIGESTS);
        mail.removeAttribute(DkimMailAttributes.SIGNED_MESSAGE); // no shortcut: the ordinary verification
        verify.service(mail);
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SELF_VERIFY)).contains("pass");

        // a forged digest for the right b= is not trusted blindly: the recomputed header digest differs
        mail.setAttribute(new org.apache.mailet.Attribute(DkimMailAttributes.SIGNED_DIGESTS,
            org.apache.mailet.AttributeValue.of(b + " " + java.util.Base64.getEncoder().encodeToString(new byte[32]))));
        verify.service(mail);
        assertThat(mail.getState()).isEqualTo("dkim-broken");
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SELF_VERIFY)).hasValueSatisfying(reason ->
                assertThat(reason).startsWith("SIGNATURE_MISMATCH"));
    }

    @Test
    void aBodyChangedAfterSigningIsRoutedToTheFailureProcessorWithTheReason() throws Exception {
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));
        sign.service(mail);
        mail.getMessage().setText("Hello Bob,\nsigned footer added too late\n");
        mail.getMessage().saveChanges();

        verify.service(mail);

        assertThat(mail.getState()).isEqualTo("dkim-broken");
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SELF_VERIFY)).hasValueSatisfying(reason ->
                assertThat(reason).startsWith("BODY_HASH_MISMATCH d=example.com s=s1").contains("sign last"));
        assertThat(metrics.countFor("smarthost_dkim_selfverify_fail")).isEqualTo(1);
    }

    @Test
    void aSubjectChangedAfterSigningFails() throws Exception {
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));
        sign.service(mail);
        mail.getMessage().setSubject("[EXTERNAL] hello");

        verify.service(mail);

        assertThat(mail.getState()).isEqualTo("dkim-broken");
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SELF_VERIFY)).hasValueSatisfying(reason ->
                assertThat(reason).startsWith("SIGNATURE_MISMATCH"));
    }

    @Test
    void aRemovedSignatureFails() throws Exception {
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));
        sign.service(mail);
        mail.getMessage().removeHeader("DKIM-Signature");

        verify.service(mail);

        assertThat(mail.getState()).isEqualTo("dkim-broken");
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SELF_VERIFY)).hasValueSatisfying(reason ->
                assertThat(reason).startsWith("SIGNATURE_REMOVED"));
    }

    @Test
    void unsignedMailIsNotChecked() throws Exception {
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("someone@other.example"));
        mail.setState("relay");
        sign.service(mail);

        verify.service(mail);

        assertThat(mail.getState()).isEqualTo("relay");
        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.SELF_VERIFY)).isEmpty();
    }

    @Test
    void initShouldRejectAnUnknownParameterAndAnEmptyProcessor() {
        VerifyDkimBeforeDelivery v = new VerifyDkimBeforeDelivery(metrics, Clock.systemUTC(), home);
        assertThatThrownBy(() -> v.init(FakeMailetConfig.builder().mailetName("v").setProperty("processor", "x").build()))
                .isInstanceOf(MessagingException.class).hasMessageContaining("unknown parameter(s) [processor]");
        assertThatThrownBy(() -> v.init(FakeMailetConfig.builder().mailetName("v").setProperty("failureProcessor", "").build()))
                .hasMessageContaining("failureProcessor: empty");
    }
}
