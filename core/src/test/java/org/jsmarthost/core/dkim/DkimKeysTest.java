package org.jsmarthost.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files written by OpenSSL (see keys/README.txt) load, and the derived public keys match OpenSSL's. */
class DkimKeysTest {
    @TempDir
    Path dir;

    Path resource(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("keys/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    String text(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("keys/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
    }

    @Test
    void rsaPkcs1Pkcs8AndEncryptedVariantsGiveTheSameKey() throws Exception {
        String expectedPub = text("rsa2048.pub.b64");
        for (String f : List.of("rsa2048-pkcs1.pem", "rsa2048-pkcs8.pem")) {
            DkimPrivateKey k = DkimKeys.load(resource(f));
            assertThat(k.algorithm()).isEqualTo(DkimAlgorithm.RSA_SHA256);
            assertThat(k.bits()).isEqualTo(2048);
            assertThat(Base64.getEncoder().encodeToString(k.publicKeyRecordBytes())).as(f).isEqualTo(expectedPub);
        }
        for (String f : List.of("rsa2048-pkcs8-encrypted.pem", "rsa2048-pkcs1-encrypted.pem")) {
            DkimPrivateKey k = DkimKeys.load(resource(f), "s3cret".toCharArray());
            assertThat(Base64.getEncoder().encodeToString(k.publicKeyRecordBytes())).as(f).isEqualTo(expectedPub);
        }
    }

    @Test
    void ed25519Pkcs8PlainAndEncrypted() throws Exception {
        String expectedPub = text("ed25519.pub.b64");
        DkimPrivateKey k = DkimKeys.load(resource("ed25519-pkcs8.pem"));
        assertThat(k.algorithm()).isEqualTo(DkimAlgorithm.ED25519_SHA256);
        assertThat(Base64.getEncoder().encodeToString(k.publicKeyRecordBytes())).isEqualTo(expectedPub);
        DkimPrivateKey e = DkimKeys.load(resource("ed25519-pkcs8-encrypted.pem"), "s3cret".toCharArray());
        assertThat(Base64.getEncoder().encodeToString(e.publicKeyRecordBytes())).isEqualTo(expectedPub);
    }

    @Test
    void errorsNameTheFileAndTheProblem() throws Exception {
        Path small = resource("rsa512-pkcs1.pem");
        assertThatThrownBy(() -> DkimKeys.load(small)).isInstanceOf(IOException.class)
                .hasMessageContaining(small.toString()).hasMessageContaining("512 bits").hasMessageContaining("at least 1024");
        Path enc = resource("rsa2048-pkcs8-encrypted.pem");
        assertThatThrownBy(() -> DkimKeys.load(enc)).hasMessageContaining(enc.toString()).hasMessageContaining("no password");
        assertThatThrownBy(() -> DkimKeys.load(enc, "wrong".toCharArray())).hasMessageContaining(enc.toString())
                .hasMessageContaining("wrong password");
        Path garbage = resource("garbage.pem");
        assertThatThrownBy(() -> DkimKeys.load(garbage)).hasMessageContaining(garbage.toString()).hasMessageContaining("no PEM object");
        Path ec = resource("ec-p256.pem");
        assertThatThrownBy(() -> DkimKeys.load(ec)).hasMessageContaining(ec.toString()).hasMessageContaining("expected RSA or Ed25519");
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> DkimKeys.load(missing)).hasMessageContaining(missing.toString()).hasMessageContaining("cannot read");
        assertThat(DkimKeys.load(resource("rsa1024-pkcs1.pem")).bits()).isEqualTo(1024);
    }

    @Test
    void generatedKeysRoundTripThroughPkcs8PemWithPrivatePermissions() throws Exception {
        for (DkimPrivateKey k : List.of(DkimKeys.generate(DkimAlgorithm.RSA_SHA256, 1024), DkimKeys.generateEd25519())) {
            Path f = dir.resolve(k.algorithm().keyType() + ".pem");
            DkimKeys.writePkcs8Pem(k, f);
            assertThat(Files.readString(f)).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
            DkimPrivateKey back = DkimKeys.load(f);
            assertThat(back.algorithm()).isEqualTo(k.algorithm());
            assertThat(back.publicKeyRecordBytes()).isEqualTo(k.publicKeyRecordBytes());
            assertThatThrownBy(() -> DkimKeys.writePkcs8Pem(k, f)).isInstanceOf(FileAlreadyExistsException.class);
        }
        assertThat(DkimKeys.generateRsa(DkimKeys.DEFAULT_RSA_BITS).bits()).isEqualTo(2048);
        assertThatThrownBy(() -> DkimKeys.generateRsa(768)).hasMessageContaining("768").hasMessageContaining("at least 1024");
    }

    @Test
    void generatedKeyPemIsReadableByOpensslToo() throws Exception {
        // OpenSSL parses our PKCS#8 and derives the same public key (skipped parts none: openssl is in Debian base)
        DkimPrivateKey k = DkimKeys.generateEd25519();
        Path f = dir.resolve("ed.pem");
        DkimKeys.writePkcs8Pem(k, f);
        Process p = new ProcessBuilder("openssl", "pkey", "-in", f.toString(), "-pubout", "-outform", "DER")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] der = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as("openssl exit (install the Debian package openssl)").isZero();
        byte[] raw = java.util.Arrays.copyOfRange(der, der.length - 32, der.length);
        assertThat(raw).isEqualTo(k.publicKeyRecordBytes());
    }

    @Test
    void dnsRecordAndZoneFileSplitting() throws Exception {
        DkimPrivateKey rsa = DkimKeys.load(resource("rsa2048-pkcs1.pem"));
        DnsRecord r = DnsRecord.of("Example.COM", "S2026", rsa);
        assertThat(r.name()).isEqualTo("s2026._domainkey.example.com");
        assertThat(r.value()).isEqualTo("v=DKIM1; k=rsa; p=" + text("rsa2048.pub.b64"));
        assertThat(r.strings()).hasSize(2);
        assertThat(r.strings().get(0)).hasSize(255);
        assertThat(String.join("", r.strings())).isEqualTo(r.value());
        assertThat(r.zoneFileLine()).isEqualTo("s2026._domainkey.example.com. IN TXT ( \"" + r.strings().get(0) + "\" \""
                + r.strings().get(1) + "\" )");

        assertThat(r.mismatch(r.value())).isEmpty();
        assertThat(r.mismatch("v=DKIM1; p=" + r.value().substring(r.value().indexOf("p=") + 2, 100) + " \t"
                + r.value().substring(100))).isEmpty(); // k= defaults to rsa, white space in p= ignored
        assertThat(r.mismatch(null)).get().asString().contains("no TXT record");
        assertThat(r.mismatch("v=DKIM1; k=rsa; p=")).get().asString().contains("revoked");
        assertThat(r.mismatch("v=DKIM1; k=ed25519; p=AAAA")).get().asString().contains("k=ed25519, expected k=rsa");
        assertThat(r.mismatch("v=DKIM1; k=rsa; p=AAAA")).get().asString().contains("differs");
        assertThat(r.mismatch("not a record")).get().asString().contains("not a DKIM key record");

        DnsRecord e = DnsRecord.of("example.com", "ed", DkimKeys.load(resource("ed25519-pkcs8.pem")));
        assertThat(e.value()).isEqualTo("v=DKIM1; k=ed25519; p=" + text("ed25519.pub.b64"));
        assertThat(e.strings()).containsExactly(e.value());

        // the record we print is what dkimpy accepts (round trip through signer + dkimpy happens in IndependentVerifiersTest);
        // here: our verifier accepts a signature checked against exactly this record text
        DkimKey key = new DkimKey("k", "example.com", "s2026", rsa, null);
        SignResult sr = new DkimSigner().sign(new ByteArrayInputStream(TestMessages.corpus().get("plain")), SigningPlan.sign(List.of(key)));
        Map<String, String> dns = Map.of(key.dnsRecord().name(), String.join("", key.dnsRecord().strings()));
        assertThat(new DkimVerifier().verify(new ByteArrayInputStream(TestMessages.wire(sr.signatures(), TestMessages.corpus().get("plain"))),
                (s, d) -> List.of(dns.get(s + "._domainkey." + d)))).allMatch(DkimVerificationResult::passed);
    }
}
