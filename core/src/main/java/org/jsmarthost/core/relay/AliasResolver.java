package org.jsmarthost.core.relay;

import java.util.Set;

/**
 * The James RecipientRewriteTable as the ownership rule needs it; the adapter implements it over James's RRT
 * (address and alias mappings, with James's recursion). Lookups may throw a RuntimeException; the decider then
 * answers a temporary failure, never an allow.
 */
public interface AliasResolver {
    /**
     * True when the RRT maps {@code address} (directly or through its domain/recursion) to the user
     * {@code login} (lower-case), i.e. mail to {@code address} is delivered to that login's mailbox.
     */
    boolean mapsTo(EnvelopeAddress address, String login);

    /** The addresses the RRT maps to {@code login} (for explanations, e.g. {@code smarthost-cli relay check}). */
    Set<EnvelopeAddress> aliasesOf(String login);

    /** A resolver that knows no aliases. */
    static AliasResolver none() {
        return new AliasResolver() {
            @Override
            public boolean mapsTo(EnvelopeAddress address, String login) {
                return false;
            }

            @Override
            public Set<EnvelopeAddress> aliasesOf(String login) {
                return Set.of();
            }
        };
    }
}
