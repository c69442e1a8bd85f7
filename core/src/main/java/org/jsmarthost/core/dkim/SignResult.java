package org.jsmarthost.core.dkim;

import java.util.List;

/**
 * Result of {@link DkimSigner#sign}: the signatures (to prepend to the message, in list order) and
 * facts the adapter needs to decide whether the message can travel safely as signed.
 */
public final class SignResult {
    private final List<DkimSignature> signatures;
    private final String bodyHash;
    private final boolean eightBitBody;
    private final boolean eightBitHeaders;

    SignResult(List<DkimSignature> signatures, String bodyHash, boolean eightBitBody, boolean eightBitHeaders) {
        this.signatures = List.copyOf(signatures);
        this.bodyHash = bodyHash;
        this.eightBitBody = eightBitBody;
        this.eightBitHeaders = eightBitHeaders;
    }

    public List<DkimSignature> signatures() {
        return signatures;
    }

    /** The {@code bh=} value (base64). */
    public String bodyHash() {
        return bodyHash;
    }

    /**
     * Whether the body contains octets above 127. Such a body is only safe when the whole path
     * supports 8BITMIME: a relay that downgrades it to quoted-printable breaks the body hash. The
     * adapter should convert the message to 7bit transfer encodings before signing (or refuse,
     * per its configuration) — see {@link DkimSigner}.
     */
    public boolean eightBitBody() {
        return eightBitBody;
    }

    /** Whether a header field contains octets above 127 (raw UTF-8 headers, RFC 6532). */
    public boolean eightBitHeaders() {
        return eightBitHeaders;
    }
}
