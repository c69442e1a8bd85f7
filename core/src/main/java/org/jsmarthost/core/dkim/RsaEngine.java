package org.jsmarthost.core.dkim;

import java.util.Locale;

/**
 * Which implementation performs the RSA private-key operation of {@code rsa-sha256} signatures. Both give
 * the same bytes (RSASSA-PKCS1-v1_5 is deterministic); they differ in speed: the JDK's RSA signs about a
 * quarter as many messages per second as OpenSSL on the same core (see docs/BENCHMARKS.md).
 */
public enum RsaEngine {
    /** OpenSSL's libcrypto when it can be loaded and passes the start check, otherwise the JDK. */
    AUTO,
    /** OpenSSL's libcrypto ({@link OpenSslRsa}); start-up fails when it cannot be loaded. */
    OPENSSL,
    /** The JDK's {@code SHA256withRSA}. */
    JDK;

    /** The lower-case name used in configuration. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code auto}, {@code openssl} or {@code jdk} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static RsaEngine parse(String value) {
        for (RsaEngine e : values()) {
            if (e.tag().equalsIgnoreCase(value.trim())) {
                return e;
            }
        }
        throw new IllegalArgumentException("RSA engine '" + value + "' is invalid, expected auto, openssl or jdk");
    }
}
