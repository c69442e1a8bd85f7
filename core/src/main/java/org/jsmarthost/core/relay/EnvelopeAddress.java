package org.jsmarthost.core.relay;

import java.util.Locale;
import java.util.Objects;

/**
 * A normalised envelope address produced by {@link AddressGuard}: a local part and a lower-case ASCII domain.
 *
 * <p>The local part keeps the case the client sent ({@link #localPart()}, {@link #asString()}), because the
 * receiving system may treat it as case-sensitive; ownership and equality compare it case-insensitively
 * ({@link #canonical()}), so {@code Alice@Example.ORG} and {@code alice@example.org} are the same owner.
 * A quoted local part whose content is a plain dot-atom is stored unquoted ({@code "alice"@example.org} is
 * {@code alice@example.org}), so quoting cannot be used to dodge an ownership comparison.</p>
 */
public final class EnvelopeAddress {
    private final String localPart;
    private final String domain;

    EnvelopeAddress(String localPart, String domain) {
        this.localPart = Objects.requireNonNull(localPart);
        this.domain = Objects.requireNonNull(domain);
    }

    /**
     * Parses and normalises {@code raw} with {@link AddressGuard}; throws when the guard refuses it.
     *
     * @throws IllegalArgumentException naming the rule id when the address is refused or is the null sender
     */
    public static EnvelopeAddress of(String raw) {
        AddressCheck check = AddressGuard.checkRecipient(raw);
        if (!check.isAddress()) {
            throw new IllegalArgumentException("'" + raw + "' is not an acceptable address: " + check.ruleId()
                    + " (" + check.reason() + ")");
        }
        return check.address();
    }

    /** The local part as sent (case kept; unquoted when the quotes were redundant). */
    public String localPart() {
        return localPart;
    }

    /** The domain, lower-case ASCII, without trailing dot. */
    public String domain() {
        return domain;
    }

    /** {@code localPart@domain} with the local part's case as sent. */
    public String asString() {
        return localPart + "@" + domain;
    }

    /** {@code localpart@domain} fully lower-cased: the form used for ownership and equality. */
    public String canonical() {
        return localPart.toLowerCase(Locale.ROOT) + "@" + domain;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnvelopeAddress && ((EnvelopeAddress) o).canonical().equals(canonical());
    }

    @Override
    public int hashCode() {
        return canonical().hashCode();
    }

    @Override
    public String toString() {
        return asString();
    }
}
