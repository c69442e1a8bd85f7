package org.jsmarthost.core.dkim;

/** The verdict for one DKIM-Signature field. Immutable. */
public final class DkimVerificationResult {
    /** RFC 8601 result values. */
    public enum Status {
        PASS, FAIL, NEUTRAL, TEMPERROR, PERMERROR;

        /** Lower-case form used in Authentication-Results. */
        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Why the status is what it is. */
    public enum Reason {
        /** The signature verified. */
        OK,
        /** The body was changed after signing (the computed bh= differs). */
        BODY_HASH_MISMATCH,
        /** The signed header fields (or the signature) were changed, or the wrong key. */
        SIGNATURE_MISMATCH,
        /** No key record at selector._domainkey.domain. */
        KEY_MISSING,
        /** The key record has an empty p= (key revoked). */
        KEY_REVOKED,
        /** The key record cannot be parsed or the key is unusable. */
        KEY_INVALID,
        /** The key type does not fit the a= algorithm, or the record does not allow sha256/email. */
        KEY_MISMATCH,
        /** RSA key shorter than 1024 bits. */
        KEY_TOO_SHORT,
        /** The key lookup failed temporarily. */
        KEY_LOOKUP_FAILED,
        /** x= is in the past. */
        SIGNATURE_EXPIRED,
        /** The DKIM-Signature field is malformed or lacks required tags. */
        SYNTAX,
        /** Unknown version, algorithm, canonicalization or query method. */
        UNSUPPORTED,
        /** h= does not include From. */
        FROM_NOT_SIGNED,
        /** i= is not within d=. */
        DOMAIN_MISMATCH,
        /** l= is larger than the body. */
        BODY_TOO_SHORT
    }

    private final Status status;
    private final Reason reason;
    private final String detail;
    private final String domain;
    private final String selector;
    private final String algorithm;

    DkimVerificationResult(Status status, Reason reason, String detail, String domain, String selector, String algorithm) {
        this.status = status;
        this.reason = reason;
        this.detail = detail;
        this.domain = domain;
        this.selector = selector;
        this.algorithm = algorithm;
    }

    public Status status() {
        return status;
    }

    public boolean passed() {
        return status == Status.PASS;
    }

    public Reason reason() {
        return reason;
    }

    /** Human-readable explanation. */
    public String detail() {
        return detail;
    }

    /** d= (may be null for a malformed signature). */
    public String domain() {
        return domain;
    }

    /** s= (may be null). */
    public String selector() {
        return selector;
    }

    /** a= (may be null). */
    public String algorithm() {
        return algorithm;
    }

    @Override
    public String toString() {
        return "dkim=" + status.text() + " (" + reason + (detail == null ? "" : ": " + detail) + ")"
                + " header.d=" + domain + " header.s=" + selector + " a=" + algorithm;
    }
}
