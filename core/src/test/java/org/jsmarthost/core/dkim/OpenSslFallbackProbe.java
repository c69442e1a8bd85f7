package org.jsmarthost.core.dkim;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Child-JVM side of {@link OpenSslRsaTest#withoutLibcryptoAutoFallsBackToTheJdkAndOpensslIsRefused()}. */
public final class OpenSslFallbackProbe {
    private OpenSslFallbackProbe() {
    }

    public static void main(String[] args) {
        System.out.println("available=" + OpenSslRsa.available());
        System.out.println("status=" + OpenSslRsa.status());
        try {
            DkimSignerConfig.builder().rsaEngine(RsaEngine.OPENSSL);
            System.out.println("openssl accepted");
        } catch (IllegalArgumentException e) {
            System.out.println("openssl refused: " + e.getMessage());
        }
        DkimPrivateKey key = DkimKeys.generateRsa(1024);
        System.out.println("auto signsWithOpenSsl=" + key.signsWithOpenSsl(RsaEngine.AUTO));
        byte[] data = "probe".getBytes(StandardCharsets.US_ASCII);
        System.out.println("auto equals jdk=" + Arrays.equals(key.sign(data, RsaEngine.AUTO), key.sign(data, RsaEngine.JDK)));
    }
}
