package org.jsmarthost.mailets.dkim;

import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jsmarthost.core.dkim.SignedDigests;
import org.jsmarthost.core.dkim.SignedMessage;

/**
 * The mail attributes of the DKIM mailets (all String values). Other pack mailets that change a
 * message call {@link #signedAlready(Mail)} to detect that they run after signing (a configuration
 * error: "sign last").
 */
public final class DkimMailAttributes {
    /** Set by {@link SignDkim} on a signed mail: one {@code d=DOMAIN s=SELECTOR a=ALGORITHM} per signature, comma-separated. */
    public static final AttributeName SIGNED = AttributeName.of("org.jsmarthost.dkim.signed");
    /** Set by {@link SignDkim} on a mail it did not sign: why (e.g. "no DKIM key for From domain other.org"). */
    public static final AttributeName NOT_SIGNED = AttributeName.of("org.jsmarthost.dkim.notSigned");
    /**
     * Set by {@link SignDkim} next to {@link #SIGNED}: the record of its signatures ({@link SignedDigests}). {@link VerifyDkimBeforeDelivery} checks these signatures by recomputing the
     * digest instead of the public-key verification (org.jsmarthost.core.dkim.DkimVerifier).
     */
    public static final AttributeName SIGNED_DIGESTS = AttributeName.of("org.jsmarthost.dkim.signedDigests");
    /**
     * Set by {@link SignDkim} on a mail that carried no DKIM signature before: length and SHA-256 of the message it
     * signed and of the fields it added ({@link SignedMessage}). {@link VerifyDkimBeforeDelivery} passes a mail whose
     * bytes are still exactly these with one SHA-256 pass, and verifies any other in full.
     */
    public static final AttributeName SIGNED_MESSAGE = AttributeName.of("org.jsmarthost.dkim.signedMessage");
    /** Set by {@link VerifyDkimBeforeDelivery}: {@code pass}, or the failure reason. */
    public static final AttributeName SELF_VERIFY = AttributeName.of("org.jsmarthost.dkim.selfVerify");

    private DkimMailAttributes() {
    }

    static void set(Mail mail, AttributeName name, String value) {
        mail.setAttribute(new Attribute(name, AttributeValue.of(value)));
    }

    static Optional<String> get(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(a -> String.valueOf(a.getValue().value()));
    }

    /** The signatures' digests recorded by {@link SignDkim} ({@link #SIGNED_DIGESTS}); empty when absent. */
    static java.util.Map<String, byte[]> signedDigests(Mail mail) {
        return get(mail, SIGNED_DIGESTS).map(SignedDigests::parse).orElse(java.util.Map.of());
    }

    /** The record of the signed message ({@link #SIGNED_MESSAGE}); empty when absent or not readable. */
    static Optional<SignedMessage> signedMessage(Mail mail) {
        return get(mail, SIGNED_MESSAGE).flatMap(SignedMessage::parse);
    }

    /** Whether {@link SignDkim} signed this mail: any change to it from now on breaks the signature. */
    public static boolean signedAlready(Mail mail) {
        return mail.getAttribute(SIGNED).isPresent();
    }
}
