package org.jsmarthost.core.dkim;

/** One DKIM-Signature header field produced by {@link DkimSigner}. Immutable. */
public final class DkimSignature {
    /** The field name. */
    public static final String HEADER_NAME = "DKIM-Signature";

    private final DkimKey key;
    private final String value;

    DkimSignature(DkimKey key, String value) {
        this.key = key;
        this.value = value;
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
