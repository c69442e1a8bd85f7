package org.jsmarthost.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;

import org.jsmarthost.core.dkim.DkimVerificationResult.Reason;
import org.jsmarthost.core.dkim.DkimVerificationResult.Status;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DkimVerifierTest {
    static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static DkimKey ed;
    static DkimKey rsa;

    @BeforeAll
    static void keys() {
        ed = new DkimKey("ed", "example.com", "ed", DkimKeys.generateEd25519(), null);
        rsa = new DkimKey("rsa", "example.com", "rsa", DkimKeys.generateRsa(1024), null);
    }

    static String signed(DkimSignerConfig config, DkimKey key, String raw) throws IOException {
        SignResult r = new DkimSigner(config, CLOCK).sign(new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)),
                SigningPlan.sign(List.of(key)));
        return new String(TestMessages.wire(r.signatures(), raw.getBytes(StandardCharsets.ISO_8859_1)), StandardCharsets.ISO_8859_1);
    }

    static String plain() {
        return new String(TestMessages.corpus().get("plain"), StandardCharsets.US_ASCII);
    }

    static DkimVerificationResult verifyOne(String msg, KeyLookup lookup, Clock clock) throws IOException {
        List<DkimVerificationResult> r = new DkimVerifier(clock).verify(new ByteArrayInputStream(msg.getBytes(StandardCharsets.ISO_8859_1)), lookup);
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    static DkimVerificationResult verifyOne(String msg, String record) throws IOException {
        return verifyOne(msg, (s, d) -> record == null ? List.of() : List.of(record), CLOCK);
    }

    @Test
    void passAndKeyProblems() throws IOException {
        String m = signed(DkimSignerConfig.defaults(), ed, plain());
        assertThat(verifyOne(m, ed.dnsRecord().value()).status()).isEqualTo(Status.PASS);
        assertThat(verifyOne(m, null).reason()).isEqualTo(Reason.KEY_MISSING);
        assertThat(verifyOne(m, "v=DKIM1; k=ed25519; p=").reason()).isEqualTo(Reason.KEY_REVOKED);
        assertThat(verifyOne(m, rsa.dnsRecord().value()).reason()).isEqualTo(Reason.KEY_MISMATCH);
        assertThat(verifyOne(m, "v=DKIM1; k=ed25519; h=sha1; p=" + b64(ed.privateKey().publicKeyRecordBytes())).reason())
                .isEqualTo(Reason.KEY_MISMATCH);
        assertThat(verifyOne(m, "k=ed25519; v=DKIM1; p=" + b64(ed.privateKey().publicKeyRecordBytes())).reason())
                .isEqualTo(Reason.KEY_INVALID);
        assertThat(verifyOne(m, "v=DKIM1; k=ed25519; p=AAAA").reason()).isEqualTo(Reason.KEY_INVALID);
        assertThat(verifyOne(m, "garbage").reason()).isEqualTo(Reason.KEY_INVALID);
        // another domain's key of the same type
        DkimKey other = new DkimKey("o", "example.com", "ed", DkimKeys.generateEd25519(), null);
        DkimVerificationResult wrongKey = verifyOne(m, other.dnsRecord().value());
        assertThat(wrongKey.status()).isEqualTo(Status.FAIL);
        assertThat(wrongKey.reason()).isEqualTo(Reason.SIGNATURE_MISMATCH);
        // first record unusable, second good: pass
        assertThat(verifyOne(m, (s, d) -> List.of("garbage", ed.dnsRecord().value()), CLOCK).passed()).isTrue();
        // temporary DNS failure
        DkimVerificationResult temp = verifyOne(m, (s, d) -> {
            throw new IOException("SERVFAIL");
        }, CLOCK);
        assertThat(temp.status()).isEqualTo(Status.TEMPERROR);
        assertThat(temp.detail()).contains("SERVFAIL").contains("ed._domainkey.example.com");
    }

    @Test
    void shortRsaKeyInDnsIsRefused() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(512);
        var kp = g.generateKeyPair();
        String m = signed(DkimSignerConfig.defaults(), rsa, plain());
        assertThat(verifyOne(m, "v=DKIM1; p=" + b64(kp.getPublic().getEncoded())).reason()).isEqualTo(Reason.KEY_TOO_SHORT);
        assertThat(verifyOne(m, "v=DKIM1; p=" + b64(rsa.privateKey().publicKeyRecordBytes())).passed()).isTrue();
    }

    @Test
    void expiry() throws IOException {
        String m = signed(DkimSignerConfig.builder().expiry(Duration.ofHours(1)).build(), ed, plain());
        assertThat(verifyOne(m, (s, d) -> List.of(ed.dnsRecord().value()), Clock.fixed(NOW.plusSeconds(3599), ZoneOffset.UTC)).passed()).isTrue();
        DkimVerificationResult late = verifyOne(m, (s, d) -> List.of(ed.dnsRecord().value()), Clock.fixed(NOW.plusSeconds(3601), ZoneOffset.UTC));
        assertThat(late.reason()).isEqualTo(Reason.SIGNATURE_EXPIRED);
    }

    @Test
    void malformedAndUnsupportedSignatures() throws IOException {
        String body = plain();
        String rec = ed.dnsRecord().value();
        assertThat(verifyOne("DKIM-Signature: v=1; a=rsa-sha1; d=example.com; s=x; h=from; bh=AA==; b=AA==\r\n" + body, rec).reason())
                .isEqualTo(Reason.UNSUPPORTED);
        assertThat(verifyOne("DKIM-Signature: v=2; a=rsa-sha256; d=example.com; s=x; h=from; bh=AA==; b=AA==\r\n" + body, rec).reason())
                .isEqualTo(Reason.UNSUPPORTED);
        assertThat(verifyOne("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=to; bh=AA==; b=AA==\r\n" + body, rec).reason())
                .isEqualTo(Reason.FROM_NOT_SIGNED);
        assertThat(verifyOne("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=from; bh=AA==\r\n" + body, rec).detail())
                .contains("b=");
        assertThat(verifyOne("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; d=x.org; s=x; h=from; bh=AA==; b=A\r\n" + body, rec).reason())
                .isEqualTo(Reason.SYNTAX);
        assertThat(verifyOne("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; i=a@evil.org; s=x; h=from; bh=AA==; b=A\r\n" + body, rec).reason())
                .isEqualTo(Reason.DOMAIN_MISMATCH);
        assertThat(verifyOne("DKIM-Signature: v=1; a=rsa-sha256; c=loose; d=example.com; s=x; h=from; bh=AA==; b=A\r\n" + body, rec).reason())
                .isEqualTo(Reason.UNSUPPORTED);
        assertThat(new DkimVerifier().verify(new ByteArrayInputStream(TestMessages.corpus().get("plain")), (s, d) -> List.of())).isEmpty();
    }

    @Test
    void simpleCanonicalizationDetectsRefoldingRelaxedToleratesIt() throws IOException {
        String raw = plain();
        String simple = signed(DkimSignerConfig.builder().canonicalization("simple/simple").build(), ed, raw);
        String relaxed = signed(DkimSignerConfig.defaults(), ed, raw);
        String rec = ed.dnsRecord().value();
        assertThat(verifyOne(simple.replace("Subject: Test message", "Subject:  Test\r\n message"), rec).reason())
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
        assertThat(verifyOne(relaxed.replace("Subject: Test message", "Subject:  Test\r\n message"), rec).passed()).isTrue();
        assertThat(verifyOne(simple.replace("Hello Bob,", "Hello  Bob,"), rec).reason()).isEqualTo(Reason.BODY_HASH_MISMATCH);
        assertThat(verifyOne(relaxed.replace("Hello Bob,", "Hello  Bob,  "), rec).passed()).isTrue();
        // trailing empty lines may be added under both
        assertThat(verifyOne(simple + "\r\n\r\n", rec).passed()).isTrue();
    }

    @Test
    void bodyLengthTagIsHonoured() throws Exception {
        // build an l= signature by hand (our signer never emits l=): hash only the first 5 canonical body bytes
        String raw = "From: a@example.com\r\nSubject: s\r\n\r\nHello world\r\n";
        byte[] bh = DkimSigner.sha256().digest("Hello".getBytes(StandardCharsets.US_ASCII));
        String field = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/simple; d=example.com; s=ed; l=5; h=from:subject; bh="
                + b64(bh) + "; b=";
        MessageHeaders headers = MessageHeaders.read(new MessageInput(new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII))));
        String b = b64(ed.privateKey().sign(DkimSigner.headerHashInput(headers.fields(), List.of("from", "subject"), field,
                Canonicalization.RELAXED)));
        String msg = field + b + "\r\n" + raw;
        assertThat(verifyOne(msg, ed.dnsRecord().value()).passed()).isTrue();
        assertThat(verifyOne(msg.replace("world", "WORLD, appended"), ed.dnsRecord().value()).passed()).isTrue();
        assertThat(verifyOne(msg.replace("Hello world", "Hi"), ed.dnsRecord().value()).reason()).isEqualTo(Reason.BODY_TOO_SHORT);
    }

    @Test
    void withoutBRemovesOnlyTheBTagValue() {
        assertThat(DkimVerifier.withoutB("DKIM-Signature: v=1; bh=abc; b=xy\r\n\tz; d=x"))
                .isEqualTo("DKIM-Signature: v=1; bh=abc; b=; d=x");
        assertThat(DkimVerifier.withoutB("DKIM-Signature: v=1; bh=abc;\r\n b = xyz"))
                .isEqualTo("DKIM-Signature: v=1; bh=abc;\r\n b =");
        assertThat(DkimVerifier.withoutB("DKIM-Signature: v=1; \tb\r\n =xyz; bh=abc"))
                .as("folding white space inside the tag name").isEqualTo("DKIM-Signature: v=1; \tb\r\n =; bh=abc");
        assertThat(DkimVerifier.withoutB("DKIM-Signature: v=1; bb=xyz; b2=q")).as("no b= tag").isEqualTo("DKIM-Signature: v=1; bb=xyz; b2=q");
    }

    @Test
    void tagNamesAreAlphaThenAlphanumericOrUnderscore() {
        assertThat(TagList.parse("a=1; Zz_9=2 ;x=").asMap()).containsExactly(
                org.assertj.core.api.Assertions.entry("a", "1"), org.assertj.core.api.Assertions.entry("Zz_9", "2"),
                org.assertj.core.api.Assertions.entry("x", ""));
        for (String bad : new String[] {"1a=x", "_a=x", "a-b=x", "a.b=x", "\u00e9=x", "a b=x"}) {
            assertThatThrownBy(() -> TagList.parse("v=1; " + bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a valid tag name");
        }
    }

    @Test
    void recordedDigestsReplaceThePublicKeyStepAndStillCatchEveryChange() throws IOException {
        for (DkimKey key : List.of(ed, rsa)) {
            String raw = plain();
            SignResult r = new DkimSigner(DkimSignerConfig.defaults(), CLOCK)
                    .sign(new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)), SigningPlan.sign(List.of(key)));
            DkimSignature sig = r.signatures().get(0);
            String m = new String(TestMessages.wire(r.signatures(), raw.getBytes(StandardCharsets.ISO_8859_1)), StandardCharsets.ISO_8859_1);
            java.util.Map<String, byte[]> digests = java.util.Map.of(sig.b(), sig.signedDigest());
            KeyLookup noKeys = (s, d) -> {
                throw new IOException("the key must not be needed for a recorded signature");
            };
            // untouched: passes without a key lookup, and the ordinary verification agrees
            assertThat(verifyWithDigests(m, noKeys, digests).status()).isEqualTo(Status.PASS);
            assertThat(verifyOne(m, key.dnsRecord().value()).status()).isEqualTo(Status.PASS);
            // a signed header field changed
            String subject = m.replace("Subject: ", "Subject: X");
            assertThat(subject).isNotEqualTo(m);
            assertThat(verifyWithDigests(subject, noKeys, digests).reason()).isEqualTo(Reason.SIGNATURE_MISMATCH);
            // the body changed
            String body = m + "appended\r\n";
            assertThat(verifyWithDigests(body, noKeys, digests).reason()).isEqualTo(Reason.BODY_HASH_MISMATCH);
            // b= replaced: not a recorded signature, so the ordinary verification runs (and fails)
            int at = m.indexOf(" b=") + 3;
            String otherB = m.substring(0, at) + (m.charAt(at) == 'A' ? 'B' : 'A') + m.substring(at + 1);
            assertThat(otherB).isNotEqualTo(m);
            assertThat(verifyWithDigests(otherB, (s, d) -> List.of(key.dnsRecord().value()), digests).reason())
                    .isEqualTo(Reason.SIGNATURE_MISMATCH);
            // a wrong recorded digest fails too
            byte[] wrong = sig.signedDigest();
            wrong[0] ^= 1;
            assertThat(verifyWithDigests(m, noKeys, java.util.Map.of(sig.b(), wrong)).reason()).isEqualTo(Reason.SIGNATURE_MISMATCH);
        }
    }

    static DkimVerificationResult verifyWithDigests(String msg, KeyLookup lookup, java.util.Map<String, byte[]> digests) throws IOException {
        List<DkimVerificationResult> r = new DkimVerifier(CLOCK).verify(new ByteArrayInputStream(msg.getBytes(StandardCharsets.ISO_8859_1)), lookup, digests);
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
