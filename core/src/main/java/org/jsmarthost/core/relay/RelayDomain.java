package org.jsmarthost.core.relay;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A domain the smarthost relays inbound mail for (gateway or backup MX), with its next hop and, optionally, the
 * set of valid recipients (canonical, lower-case addresses). Without a recipient set every recipient of the
 * domain is accepted.
 */
public final class RelayDomain {
    private final String domain;
    private final NextHop nextHop;
    private final Set<String> validRecipients;

    RelayDomain(String domain, NextHop nextHop, Set<String> validRecipients) {
        this.domain = Objects.requireNonNull(domain);
        this.nextHop = Objects.requireNonNull(nextHop);
        this.validRecipients = validRecipients == null ? null
                : Collections.unmodifiableSet(new LinkedHashSet<>(validRecipients));
    }

    public String domain() {
        return domain;
    }

    public NextHop nextHop() {
        return nextHop;
    }

    /** The valid recipients (canonical form), empty when recipients are not validated. */
    public Optional<Set<String>> validRecipients() {
        return Optional.ofNullable(validRecipients);
    }

    /** True when recipients are not validated or {@code address} is one of the valid recipients. */
    public boolean accepts(EnvelopeAddress address) {
        return validRecipients == null || validRecipients.contains(address.canonical());
    }

    @Override
    public String toString() {
        return domain + " -> " + nextHop + (validRecipients == null ? "" : " (" + validRecipients.size()
                + " valid recipients)");
    }
}
