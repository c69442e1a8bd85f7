package org.jsmarthost.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed mail after {@code wrap}: the signatures are checked by the real tools (openssl, gpg), with a
 * tampered copy as negative control so the check itself is shown to be able to fail. Missing tools fail the
 * test naming the Debian package (openssl, gnupg).
 */
class SignedMailTest {
    @TempDir
    Path tmp;

    /**
     * Verifying needs no gpg-agent (--no-autostart), but should one run anyway, stop it before the temporary
     * directory is deleted: its sockets appearing during the deletion made the clean-up fail (seen once in CI-like runs).
     */
    @org.junit.jupiter.api.AfterEach
    void stopGpgAgent() throws Exception {
        Path home = tmp.resolve("gnupg");
        if (Files.isDirectory(home)) {
            try {
                Process p = new ProcessBuilder("gpgconf", "--homedir", home.toString(), "--kill", "all")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.io.IOException e) {
                // no gpgconf: nothing can have started an agent either
            }
        }
    }

    private static final DisclaimerSpec SPEC = DisclaimerSpec.builder().id("corpus").build();

    private byte[] wrap(byte[] in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InsertResult r = CorpusSupport.run(in, out, SPEC);
        assertThat(r.code()).isEqualTo("wrapped-signed");
        return out.toByteArray();
    }

    /** The first body part of the new top-level multipart/mixed, exactly as written (headers + body). */
    static String wrappedEntity(byte[] out) {
        String s = new String(out, StandardCharsets.ISO_8859_1);
        Matcher m = Pattern.compile("boundary=\"([^\"]+)\"").matcher(s);
        assertThat(m.find()).isTrue();
        String delim = "--" + m.group(1);
        int first = s.indexOf(delim + "\r\n");
        int start = first + delim.length() + 2;
        int end = s.indexOf("\r\n" + delim, start);
        return s.substring(start, end);
    }

    private CorpusSupport.Exec opensslVerify(String entity, Path cert) throws Exception {
        Path in = tmp.resolve("entity.eml");
        Files.write(in, entity.getBytes(StandardCharsets.ISO_8859_1));
        return CorpusSupport.exec("openssl", tmp, "openssl", "smime", "-verify", "-CAfile", cert.toString(),
                "-in", in.toString(), "-out", tmp.resolve("content.txt").toString());
    }

    @Test
    void smimeDetachedSignatureStillVerifiesAfterWrap() throws Exception {
        Path cert = CorpusSupport.corpusDir().resolve("smime-cert.pem");
        byte[] in = CorpusSupport.corpus("22-smime-signed");
        assertThat(opensslVerify(new String(in, StandardCharsets.ISO_8859_1), cert).exit).as("input verifies").isZero();
        String entity = wrappedEntity(wrap(in));
        CorpusSupport.Exec ok = opensslVerify(entity, cert);
        assertThat(ok.exit).as(ok.output).isZero();
        assertThat(ok.output).contains("Verification successful");
        assertThat(Files.readString(tmp.resolve("content.txt"))).contains("the contract is approved");
        // -noverify variant as named in the issue
        CorpusSupport.Exec nv = CorpusSupport.exec("openssl", tmp, "openssl", "smime", "-verify", "-noverify",
                "-in", tmp.resolve("entity.eml").toString(), "-out", "/dev/null");
        assertThat(nv.exit).as(nv.output).isZero();
        // negative control: one changed character in the signed text breaks verification
        CorpusSupport.Exec bad = opensslVerify(entity.replace("approved", "rejected"), cert);
        assertThat(bad.exit).as("tampered entity must fail").isNotZero();
    }

    @Test
    void smimeOpaqueSignatureStillVerifiesAfterWrap() throws Exception {
        Path cert = CorpusSupport.corpusDir().resolve("smime-cert.pem");
        String entity = wrappedEntity(wrap(CorpusSupport.corpus("23-smime-opaque")));
        assertThat(entity).startsWith("Content-Disposition: attachment; filename=\"smime.p7m\"");
        CorpusSupport.Exec ok = opensslVerify(entity, cert);
        assertThat(ok.exit).as(ok.output).isZero();
        assertThat(Files.readString(tmp.resolve("content.txt"))).contains("the contract is approved");
    }

    @Test
    void freshlySignedMessageVerifiesAfterWrap() throws Exception {
        // signed right now by openssl with a new self-signed certificate
        CorpusSupport.Exec gen = CorpusSupport.exec("openssl", tmp, "openssl", "req", "-x509", "-newkey", "rsa:2048",
                "-nodes", "-days", "2", "-subj", "/CN=Test Signer/emailAddress=signer@example.com",
                "-keyout", "key.pem", "-out", "cert.pem");
        assertThat(gen.exit).as(gen.output).isZero();
        Files.write(tmp.resolve("body.txt"), ("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Gr\u00fc\u00dfe, signed at test time.\r\n").getBytes(StandardCharsets.UTF_8));
        CorpusSupport.Exec sign = CorpusSupport.exec("openssl", tmp, "openssl", "smime", "-sign", "-in", "body.txt",
                "-signer", "cert.pem", "-inkey", "key.pem", "-crlfeol", "-out", "signed.p7");
        assertThat(sign.exit).as(sign.output).isZero();
        byte[] msg = concat(("From: signer@example.com\r\nTo: peer@partner.test\r\nSubject: fresh\r\n")
                .getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(tmp.resolve("signed.p7")));
        String entity = wrappedEntity(wrap(msg));
        CorpusSupport.Exec ok = opensslVerify(entity, tmp.resolve("cert.pem"));
        assertThat(ok.exit).as(ok.output).isZero();
        assertThat(Files.readString(tmp.resolve("content.txt"), StandardCharsets.UTF_8)).contains("signed at test time");
    }

    private Path gpgHome() throws Exception {
        Path home = tmp.resolve("gnupg");
        Files.createDirectory(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        CorpusSupport.Exec imp = CorpusSupport.exec("gnupg", tmp, "gpg", "--homedir", home.toString(), "--batch", "--no-autostart",
                "--import", CorpusSupport.corpusDir().resolve("pgp-pubkey.asc").toString());
        assertThat(imp.exit).as(imp.output).isZero();
        return home;
    }

    private CorpusSupport.Exec gpgVerify(Path home, String... files) throws Exception {
        String[] cmd = new String[6 + files.length];
        cmd[0] = "gpg";
        cmd[1] = "--homedir";
        cmd[2] = home.toString();
        cmd[3] = "--batch";
        cmd[4] = "--no-autostart";
        cmd[5] = "--verify";
        System.arraycopy(files, 0, cmd, 6, files.length);
        return CorpusSupport.exec("gnupg", tmp, cmd);
    }

    @Test
    void pgpMimeSignatureStillVerifiesAfterWrap() throws Exception {
        Path home = gpgHome();
        String entity = wrappedEntity(wrap(CorpusSupport.corpus("24-pgp-mime-signed")));
        // RFC 3156: the signed data is the first body part, without the CRLF before the delimiter
        String inner = "--pgpsig24\r\n";
        int start = entity.indexOf(inner) + inner.length();
        int end = entity.indexOf("\r\n--pgpsig24", start);
        String signed = entity.substring(start, end);
        int sigStart = entity.indexOf("-----BEGIN PGP SIGNATURE-----");
        int sigEnd = entity.indexOf("-----END PGP SIGNATURE-----") + "-----END PGP SIGNATURE-----".length();
        Files.write(tmp.resolve("data"), signed.getBytes(StandardCharsets.ISO_8859_1));
        Files.write(tmp.resolve("sig.asc"), (entity.substring(sigStart, sigEnd) + "\n").getBytes(StandardCharsets.US_ASCII));
        CorpusSupport.Exec ok = gpgVerify(home, tmp.resolve("sig.asc").toString(), tmp.resolve("data").toString());
        assertThat(ok.exit).as(ok.output).isZero();
        assertThat(ok.output).contains("Good signature");
        Files.write(tmp.resolve("data"), signed.replace("PGP signed", "PGP forged").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(gpgVerify(home, tmp.resolve("sig.asc").toString(), tmp.resolve("data").toString()).exit)
                .as("tampered data must fail").isNotZero();
    }

    @Test
    void inlinePgpStillVerifiesAfterWrap() throws Exception {
        Path home = gpgHome();
        String entity = wrappedEntity(wrap(CorpusSupport.corpus("25-pgp-inline-signed")));
        String body = entity.substring(entity.indexOf("\r\n\r\n") + 4);
        Files.write(tmp.resolve("clear.asc"), body.getBytes(StandardCharsets.US_ASCII));
        CorpusSupport.Exec ok = gpgVerify(home, tmp.resolve("clear.asc").toString());
        assertThat(ok.exit).as(ok.output).isZero();
        assertThat(ok.output).contains("Good signature");
        Files.write(tmp.resolve("clear.asc"), body.replace("Inline signed", "Inline forged").getBytes(StandardCharsets.US_ASCII));
        assertThat(gpgVerify(home, tmp.resolve("clear.asc").toString()).exit).isNotZero();
    }

    @Test
    void signedPoliciesSkipAndReject() throws Exception {
        for (String name : new String[] {"22-smime-signed", "23-smime-opaque", "24-pgp-mime-signed",
                "25-pgp-inline-signed", "26-pgp-mime-encrypted"}) {
            byte[] in = CorpusSupport.corpus(name);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InsertResult skip = CorpusSupport.run(in, out,
                    DisclaimerSpec.builder().signedPolicy(DisclaimerSpec.SignedPolicy.SKIP).build());
            assertThat(skip.code()).isEqualTo("signed-skip");
            assertThat(skip.outcome()).isEqualTo(InsertResult.Outcome.SKIPPED);
            InsertResult reject = CorpusSupport.run(in, out,
                    DisclaimerSpec.builder().signedPolicy(DisclaimerSpec.SignedPolicy.REJECT).build());
            assertThat(reject.code()).isEqualTo("signed-reject");
            assertThat(reject.outcome()).isEqualTo(InsertResult.Outcome.REJECTED);
            assertThat(reject.detail()).isNotEmpty();
            assertThat(out.size()).as("nothing written for %s", name).isZero();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
