package org.jsmarthost.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * RFC 8463 Appendix A: the example Ed25519 key (A.1) and message (A.2) with the tags of A.3 must give
 * exactly the RFC's b= value (Ed25519 signatures are deterministic), and the body hash of both A.3
 * signatures. Also the RSA signature of A.3 and the Ed25519 one must verify with our verifier.
 */
class Rfc8463VectorTest {
    /** A.1 Ed25519 private key (RFC 8032 7.1 test 1 secret key) and public key. */
    static final String ED_SECRET = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
    static final String ED_PUBLIC = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    /** A.2 message (CRLF line ends; note the two spaces in the body). */
    static final String MESSAGE = "From: Joe SixPack <joe@football.example.com>\r\n"
            + "To: Suzie Q <suzie@shopping.example.net>\r\n"
            + "Subject: Is dinner ready?\r\n"
            + "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
            + "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
            + "\r\n"
            + "Hi.\r\n"
            + "\r\n"
            + "We lost the game.  Are you hungry yet?\r\n"
            + "\r\n"
            + "Joe.\r\n";

    static final String BH = "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=";

    /** A.3 Ed25519 signature value. */
    static final String ED_B = "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus"
            + "Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==";

    static final String ED_SIG_FIELD_NO_B = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
            + " d=football.example.com; i=@football.example.com;\r\n"
            + " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
            + " subject : date : message-id : from : subject : date;\r\n"
            + " bh=" + BH + ";\r\n"
            + " b=";

    @Test
    void ed25519SignatureValueIsExactlyTheRfcs() throws Exception {
        DkimPrivateKey key = DkimPrivateKey.ed25519Seed(Base64.getDecoder().decode(ED_SECRET));
        assertThat(Base64.getEncoder().encodeToString(key.publicKeyRecordBytes())).isEqualTo(ED_PUBLIC);

        MessageHeaders headers = MessageHeaders.read(new MessageInput(new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.US_ASCII))));
        List<String> h = List.of("from", "to", "subject", "date", "message-id", "from", "subject", "date");
        byte[] data = DkimSigner.headerHashInput(headers.fields(), h, ED_SIG_FIELD_NO_B, Canonicalization.RELAXED);
        String b = Base64.getEncoder().encodeToString(key.sign(data));
        assertThat(b).isEqualTo(ED_B);
    }

    /** A.1 RSA public key (p=) and A.3 RSA signature value. */
    static final String RSA_PUBLIC = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/"
            + "byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
    static final String RSA_B = "F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3"
            + "DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz"
            + "dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=";
    static final String RSA_SIG_FIELD_NO_B = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
            + " d=football.example.com; i=@football.example.com;\r\n"
            + " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
            + " date : message-id : from : subject : date;\r\n"
            + " bh=" + BH + ";\r\n"
            + " b=";

    static DkimPrivateKey rfcRsaKey() throws Exception {
        try (var r = new java.io.InputStreamReader(Rfc8463VectorTest.class.getResourceAsStream("rfc8463-rsa.pem"),
                StandardCharsets.US_ASCII)) {
            return DkimKeys.parse(r, null);
        }
    }

    @Test
    void rsaSignatureValueIsExactlyTheRfcs() throws Exception {
        DkimPrivateKey key = rfcRsaKey();
        assertThat(Base64.getEncoder().encodeToString(key.publicKeyRecordBytes())).isEqualTo(RSA_PUBLIC);
        MessageHeaders headers = MessageHeaders.read(new MessageInput(new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.US_ASCII))));
        List<String> h = List.of("from", "to", "subject", "date", "message-id", "from", "subject", "date");
        byte[] data = DkimSigner.headerHashInput(headers.fields(), h, RSA_SIG_FIELD_NO_B, Canonicalization.RELAXED);
        assertThat(Base64.getEncoder().encodeToString(key.sign(data))).isEqualTo(RSA_B);
    }

    @Test
    void ourVerifierAcceptsBothRfcSignatures() throws Exception {
        String signed = ED_SIG_FIELD_NO_B + ED_B.substring(0, 56) + "\r\n " + ED_B.substring(56) + "\r\n"
                + RSA_SIG_FIELD_NO_B + RSA_B.substring(0, 56) + "\r\n " + RSA_B.substring(56) + "\r\n" + MESSAGE;
        Map<String, String> dns = Map.of(
                "brisbane._domainkey.football.example.com", "v=DKIM1; k=ed25519; p=" + ED_PUBLIC,
                "test._domainkey.football.example.com", "v=DKIM1; k=rsa; p=" + RSA_PUBLIC);
        List<DkimVerificationResult> res = new DkimVerifier().verify(
                new ByteArrayInputStream(signed.getBytes(StandardCharsets.US_ASCII)),
                (s, d) -> List.of(dns.get(s + "._domainkey." + d)));
        assertThat(res).extracting(DkimVerificationResult::status)
                .containsExactly(DkimVerificationResult.Status.PASS, DkimVerificationResult.Status.PASS);
        assertThat(res).extracting(DkimVerificationResult::algorithm).containsExactly("ed25519-sha256", "rsa-sha256");
    }

    @Test
    void bodyHashOfTheExampleIsTheRfcs() throws Exception {
        DkimPrivateKey key = DkimPrivateKey.ed25519Seed(Base64.getDecoder().decode(ED_SECRET));
        DkimKey k = new DkimKey("brisbane", "football.example.com", "brisbane", key, null);
        SignResult r = new DkimSigner(DkimSignerConfig.defaults(), Clock.fixed(Instant.ofEpochSecond(1528637909), ZoneOffset.UTC))
                .sign(new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.US_ASCII)), SigningPlan.sign(List.of(k)));
        assertThat(r.bodyHash()).isEqualTo(BH);
        assertThat(r.signatures().get(0).headerValue()).contains("bh=" + BH + ";");
    }

    @Test
    void ourVerifierAcceptsTheRfcSignedMessage() throws Exception {
        String signed = ED_SIG_FIELD_NO_B + ED_B.substring(0, 56) + "\r\n " + ED_B.substring(56) + "\r\n" + MESSAGE;
        Map<String, String> dns = Map.of("brisbane._domainkey.football.example.com", "v=DKIM1; k=ed25519; p=" + ED_PUBLIC);
        List<DkimVerificationResult> res = new DkimVerifier().verify(
                new ByteArrayInputStream(signed.getBytes(StandardCharsets.US_ASCII)),
                (s, d) -> dns.containsKey(s + "._domainkey." + d) ? List.of(dns.get(s + "._domainkey." + d)) : List.of());
        assertThat(res).hasSize(1);
        assertThat(res.get(0).status()).as(res.get(0).toString()).isEqualTo(DkimVerificationResult.Status.PASS);

        String tampered = signed.replace("Is dinner ready?", "Is dinner ready!");
        res = new DkimVerifier().verify(new ByteArrayInputStream(tampered.getBytes(StandardCharsets.US_ASCII)),
                (s, d) -> List.of(dns.get(s + "._domainkey." + d)));
        assertThat(res.get(0).reason()).isEqualTo(DkimVerificationResult.Reason.SIGNATURE_MISMATCH);
    }
}
