package org.jsmarthost.core.dkim;

import java.util.Locale;

/** The two DKIM signing algorithms we support. Both hash with SHA-256; {@code rsa-sha1} is not offered. */
public enum DkimAlgorithm {
    /** {@code rsa-sha256} (RFC 6376), key type {@code k=rsa}. */
    RSA_SHA256("rsa-sha256", "rsa"),
    /** {@code ed25519-sha256} (RFC 8463), key type {@code k=ed25519}. */
    ED25519_SHA256("ed25519-sha256", "ed25519");

    private final String tag;
    private final String keyType;

    DkimAlgorithm(String tag, String keyType) {
        this.tag = tag;
        this.keyType = keyType;
    }

    /** The {@code a=} tag value. */
    public String tag() {
        return tag;
    }

    /** The {@code k=} key type in the DNS record. */
    public String keyType() {
        return keyType;
    }

    /**
     * Parses {@code rsa-sha256}/{@code ed25519-sha256}, or the short forms {@code rsa}/{@code ed25519}.
     *
     * @throws IllegalArgumentException naming the value and what is expected
     */
    public static DkimAlgorithm parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (DkimAlgorithm a : values()) {
            if (a.tag.equals(v) || a.keyType.equals(v)) {
                return a;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not a supported DKIM algorithm, expected rsa-sha256 or ed25519-sha256");
    }
}
