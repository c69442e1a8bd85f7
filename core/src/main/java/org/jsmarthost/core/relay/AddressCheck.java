package org.jsmarthost.core.relay;

import java.util.Objects;

/**
 * Outcome of {@link AddressGuard}: a normalised address, the null sender ({@code <>}), or a refusal carrying a
 * rule id (see {@link RuleIds}) and a human-readable reason.
 */
public final class AddressCheck {
    private static final AddressCheck NULL_SENDER = new AddressCheck(null, true, null, null);

    private final EnvelopeAddress address;
    private final boolean nullSender;
    private final String ruleId;
    private final String reason;

    private AddressCheck(EnvelopeAddress address, boolean nullSender, String ruleId, String reason) {
        this.address = address;
        this.nullSender = nullSender;
        this.ruleId = ruleId;
        this.reason = reason;
    }

    static AddressCheck ok(EnvelopeAddress address) {
        return new AddressCheck(Objects.requireNonNull(address), false, null, null);
    }

    static AddressCheck nullSender() {
        return NULL_SENDER;
    }

    static AddressCheck refused(String ruleId, String reason) {
        return new AddressCheck(null, false, Objects.requireNonNull(ruleId), Objects.requireNonNull(reason));
    }

    /** True when the text was a usable address ({@link #address()} is set). */
    public boolean isAddress() {
        return address != null;
    }

    /** True for the null reverse-path {@code <>} (only ever returned by {@link AddressGuard#checkSender}). */
    public boolean isNullSender() {
        return nullSender;
    }

    /** True when the address was refused ({@link #ruleId()} and {@link #reason()} are set). */
    public boolean isRefused() {
        return ruleId != null;
    }

    /** @throws IllegalStateException when this is not an address */
    public EnvelopeAddress address() {
        if (address == null) {
            throw new IllegalStateException("not an address: " + this);
        }
        return address;
    }

    /** The refusal's rule id ({@code addr.*}), or null when not refused. */
    public String ruleId() {
        return ruleId;
    }

    /** The refusal's human-readable reason, or null when not refused. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        if (address != null) {
            return "address " + address;
        }
        return nullSender ? "null sender <>" : "refused " + ruleId + ": " + reason;
    }
}
