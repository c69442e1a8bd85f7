package org.jsmarthost.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * libcrypto's RSA against the JDK's: RSASSA-PKCS1-v1_5 is deterministic, so both must give the same bytes
 * for every key size and input, and those bytes must verify with the JDK. CI installs OpenSSL (package
 * {@code openssl}, which brings libcrypto), so the library must be found here.
 */
class OpenSslRsaTest {

    private static byte[] jdkSign(RSAPrivateCrtKey key, byte[] data) throws GeneralSecurityException {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(data);
        return s.sign();
    }

    private static PublicKey publicKey(RSAPrivateCrtKey key) throws GeneralSecurityException {
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
    }

    @Test
    void libcryptoIsFoundAndNamed() {
        assertThat(OpenSslRsa.available()).as(OpenSslRsa.status()).isTrue();
        assertThat(OpenSslRsa.status()).startsWith("OpenSSL ").contains("libcrypto");
    }

    @Test
    void signaturesEqualTheJdksForEveryKeySizeAndInput() throws Exception {
        Random random = new Random(42);
        for (int bits : new int[] {1024, 2048, 3072, 4096}) {
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) DkimKeys.generateRsa(bits).rsaKey();
            try (OpenSslRsa.Key k = OpenSslRsa.load(key)) {
                for (int len : new int[] {0, 1, 55, 56, 64, 300, 4096, 100_000}) {
                    byte[] data = new byte[len];
                    random.nextBytes(data);
                    byte[] sig = k.signSha256(data);
                    assertThat(sig).as(bits + " bits, " + len + " bytes").hasSize(bits / 8).isEqualTo(jdkSign(key, data));
                    Signature v = Signature.getInstance("SHA256withRSA");
                    v.initVerify(publicKey(key));
                    v.update(data);
                    assertThat(v.verify(sig)).isTrue();
                }
            }
        }
    }

    @Test
    void oneKeySignsFromManyThreadsAtOnce() throws Exception {
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) DkimKeys.generateRsa(2048).rsaKey();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (OpenSslRsa.Key k = OpenSslRsa.load(key)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                Callable<Boolean> task = () -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 50; i++) {
                        byte[] data = new byte[1 + r.nextInt(600)];
                        r.nextBytes(data);
                        if (!java.util.Arrays.equals(k.signSha256(data), jdkSign(key, data))) {
                            return false;
                        }
                    }
                    return true;
                };
                results.add(pool.submit(task));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClosedKeyRefusesToSign() throws Exception {
        OpenSslRsa.Key k = OpenSslRsa.load((RSAPrivateCrtKey) DkimKeys.generateRsa(1024).rsaKey());
        k.close();
        assertThatThrownBy(() -> k.signSha256(new byte[1])).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        k.close(); // twice is harmless
    }

    @Test
    void missingLibrariesAreNamedWithTheirReason() {
        StringBuilder why = new StringBuilder();
        assertThat(OpenSslRsa.find(List.of("/nonexistent/libcrypto.so.3", "no-such-crypto-lib"), why)).isNull();
        assertThat(why.toString()).contains("/nonexistent/libcrypto.so.3: ").contains("; no-such-crypto-lib: ");
    }

    @Test
    void aLibraryWithoutTheFunctionsIsSkipped() {
        StringBuilder why = new StringBuilder();
        // libm loads but has no EVP functions: skipped with the missing symbol named, the next name wins
        assertThat(OpenSslRsa.find(List.of("libm.so.6", "libcrypto.so.3"), why)).isNotNull();
        assertThat(why.toString()).startsWith("libm.so.6: ").contains("OpenSSL_version");
    }

    @Test
    void privateKeyUsesLibcryptoOnlyForRsaAndNotWhenJdkIsAsked() {
        DkimPrivateKey rsa = DkimKeys.generateRsa(2048);
        assertThat(rsa.signsWithOpenSsl(RsaEngine.AUTO)).isTrue();
        assertThat(rsa.signsWithOpenSsl(RsaEngine.OPENSSL)).isTrue();
        assertThat(rsa.signsWithOpenSsl(RsaEngine.JDK)).isFalse();
        assertThat(DkimKeys.generateEd25519().signsWithOpenSsl(RsaEngine.AUTO)).isFalse();
        byte[] data = "x".repeat(333).getBytes(StandardCharsets.US_ASCII);
        assertThat(rsa.sign(data, RsaEngine.OPENSSL)).isEqualTo(rsa.sign(data, RsaEngine.JDK));
    }

    @Test
    void wholeSignaturesAreIdenticalWithEitherEngine() throws IOException {
        DkimKey key = new DkimKey("rsa", "example.com", "s", DkimKeys.generateRsa(2048), null);
        byte[] msg = (TestMessages.HEAD + "\r\nbody line\r\n").getBytes(StandardCharsets.UTF_8);
        List<String> fields = new ArrayList<>();
        for (RsaEngine e : RsaEngine.values()) {
            SignResult r = new DkimSigner(DkimSignerConfig.builder().rsaEngine(e).build(), DkimSignerTest.CLOCK)
                    .sign(new ByteArrayInputStream(msg), SigningPlan.sign(List.of(key)));
            fields.add(r.signatures().get(0).headerField());
        }
        assertThat(fields.get(0)).contains("a=rsa-sha256");
        assertThat(fields).containsOnly(fields.get(0));
    }

    @Test
    void engineNamesParseAndBadOnesAreNamed() {
        assertThat(RsaEngine.parse(" OpenSSL ")).isEqualTo(RsaEngine.OPENSSL);
        assertThat(RsaEngine.parse("jdk")).isEqualTo(RsaEngine.JDK);
        assertThatThrownBy(() -> RsaEngine.parse("native")).hasMessage("RSA engine 'native' is invalid, expected auto, openssl or jdk");
    }

    /**
     * A JVM whose configured library does not exist: {@code openssl} is refused with the reason, {@code auto}
     * signs with the JDK (same bytes). A child JVM because the library is bound once per JVM.
     */
    @Test
    void withoutLibcryptoAutoFallsBackToTheJdkAndOpensslIsRefused() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-D" + OpenSslRsa.LIBRARY_PROPERTY + "=/nonexistent/libcrypto.so.3",
                OpenSslFallbackProbe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out)
                .contains("available=false")
                .contains("status=unavailable: /nonexistent/libcrypto.so.3: ")
                .contains("openssl refused: RSA engine 'openssl' is not usable: OpenSSL libcrypto is unavailable: /nonexistent/libcrypto.so.3")
                .contains("auto signsWithOpenSsl=false")
                .contains("auto equals jdk=true");
        assertThat(p.exitValue()).isZero();
    }
}
