package org.jsmarthost.core.srs;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link SrsCodec#reverse(String)} found: the original address, or exactly why there is none.
 * Only {@link Status#OK} may be used to route mail; every other status must be refused (550).
 */
public final class SrsReverseResult {
    /** Result of validating an SRS address. */
    public enum Status {
        /** hash and age valid; {@link #address()} is the address to deliver to */
        OK,
        /** the local part does not start with SRS0 or SRS1 followed by one of = + - */
        NOT_SRS,
        /** looks like SRS but a field is missing or invalid (see {@link #detail()}) */
        MALFORMED,
        /** the hash matches none of the secrets, or is shorter than the configured minimum */
        BAD_HASH,
        /** the hash is valid but the timestamp is older than the maximum age (or in the future) */
        EXPIRED
    }

    private final Status status;
    private final String input;
    private final String address;
    private final String detail;

    private SrsReverseResult(Status status, String input, String address, String detail) {
        this.status = Objects.requireNonNull(status);
        this.input = input;
        this.address = address;
        this.detail = detail;
    }

    static SrsReverseResult ok(String input, String address) {
        return new SrsReverseResult(Status.OK, input, address, "valid");
    }

    static SrsReverseResult failure(Status status, String input, String detail) {
        return new SrsReverseResult(status, input, null, detail);
    }

    public Status status() {
        return status;
    }

    public boolean isValid() {
        return status == Status.OK;
    }

    /** The address that was reversed. */
    public String input() {
        return input;
    }

    /**
     * The original address when {@link Status#OK}: {@code local@domain} for SRS0, and for SRS1 the SRS0
     * address at the first forwarder ({@code SRS0=HHHH=TT=domain=local@forwarder}), which that forwarder
     * reverses in turn.
     */
    public Optional<String> address() {
        return Optional.ofNullable(address);
    }

    /** Human-readable reason, e.g. "hash 'ABCD' does not match any secret". */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return status + ": " + input + (address != null ? " -> " + address : " (" + detail + ")");
    }
}
