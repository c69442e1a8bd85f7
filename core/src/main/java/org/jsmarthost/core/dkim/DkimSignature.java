package org.jsmarthost.core.dkim;

/** One DKIM-Signature header field produced by {@link DkimSigner}. Immutable. */
public final class DkimSignature {
    /** The field name. */
    public static final String HEADER_NAME = "DKIM-Signature";

    private final DkimKey key;
    private final String value;
    private final String b;
    private final byte[] signedDigest;

    DkimSignature(DkimKey key, String value, String b, byte[] signedDigest) {
        this.key = key;
        this.value = value;
        this.b = b;
        this.signedDigest = signedDigest.clone();
    }

    /** The {@code b=} value (base64, without folding white space). */
    public String b() {
        return b;
    }

    /**
     * SHA-256 of the header data this signature signed (RFC 6376 3.7). A verifier that finds the same
     * {@code b=} over header data with the same digest knows the signature still verifies without the
     * public-key operation: see {@link DkimVerifier#verify(java.io.InputStream, KeyLookup, java.util.Map)}.
     */
    public byte[] signedDigest() {
        return signedDigest.clone();
    }

    /** The key that made it. */
    public DkimKey key() {
        return key;
    }

    /** The folded field value (after "DKIM-Signature:"), line breaks are CRLF followed by a TAB. */
    public String headerValue() {
        return value;
    }

    /** The complete field "DKIM-Signature: v=1; ..." (folded, no final CRLF), to prepend to the message. */
    public String headerField() {
        return HEADER_NAME + ":" + value;
    }

    @Override
    public String toString() {
        return headerField();
    }
}
