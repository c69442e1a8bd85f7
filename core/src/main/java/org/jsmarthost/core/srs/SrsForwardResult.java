package org.jsmarthost.core.srs;

import java.util.Objects;

/** What {@link SrsCodec#forward(String)} did with an envelope sender: the address to use and why. */
public final class SrsForwardResult {
    /** Why the sender was or was not rewritten. */
    public enum Outcome {
        /** plain sender rewritten to {@code SRS0=HHHH=TT=domain=local@srs-domain} */
        REWRITTEN_SRS0(true),
        /** an SRS0 or SRS1 sender of another forwarder rewritten to {@code SRS1=...@srs-domain} */
        REWRITTEN_SRS1(true),
        /** null sender ({@code <>}, bounces): never rewritten */
        NULL_SENDER(false),
        /** sender in one of our own domains: never rewritten */
        LOCAL_DOMAIN(false),
        /** sender already in the SRS domain (our own SRS address or a local user of it): unchanged */
        SRS_DOMAIN(false),
        /** not an address with a local part and a domain: left unchanged */
        INVALID(false);

        private final boolean rewritten;

        Outcome(boolean rewritten) {
            this.rewritten = rewritten;
        }

        public boolean rewritten() {
            return rewritten;
        }
    }

    private final Outcome outcome;
    private final String original;
    private final String address;

    SrsForwardResult(Outcome outcome, String original, String address) {
        this.outcome = Objects.requireNonNull(outcome);
        this.original = original;
        this.address = address;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** true when {@link #address()} differs from the original sender. */
    public boolean rewritten() {
        return outcome.rewritten();
    }

    /** The sender as given. */
    public String original() {
        return original;
    }

    /** The sender to use: the SRS address when rewritten, else the original. */
    public String address() {
        return address;
    }

    @Override
    public String toString() {
        return outcome + ": " + original + " -> " + address;
    }
}
