package org.jsmarthost.core.relay;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a login may use as sender beyond its own address and its RRT aliases: single addresses (canonical form)
 * and whole domains.
 */
public final class Grant {
    private final String login;
    private final Set<String> addresses;
    private final Set<String> domains;

    Grant(String login, Set<String> addresses, Set<String> domains) {
        this.login = Objects.requireNonNull(login);
        this.addresses = Collections.unmodifiableSet(new LinkedHashSet<>(addresses));
        this.domains = Collections.unmodifiableSet(new LinkedHashSet<>(domains));
    }

    /** The login (lower-case). */
    public String login() {
        return login;
    }

    /** Granted addresses, canonical (lower-case). */
    public Set<String> addresses() {
        return addresses;
    }

    /** Granted whole domains, lower-case. */
    public Set<String> domains() {
        return domains;
    }

    /** True when {@code address} is granted, as an address or through its domain. */
    public boolean covers(EnvelopeAddress address) {
        return addresses.contains(address.canonical()) || domains.contains(address.domain());
    }

    @Override
    public String toString() {
        return login + " -> " + addresses + " @" + domains;
    }
}
