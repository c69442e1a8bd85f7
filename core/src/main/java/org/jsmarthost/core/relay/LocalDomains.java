package org.jsmarthost.core.relay;

/**
 * The James DomainList as the policy sees it; the adapter implements it over James's {@code DomainList}.
 * Lookups may throw (James's {@code DomainListException} wrapped in a RuntimeException); the decider then
 * answers a temporary failure ({@code 451 4.3.0}, rule {@code lookup.failed}), never an allow.
 */
@FunctionalInterface
public interface LocalDomains {
    /** True when {@code domain} (lower-case ASCII, no trailing dot) is a James local domain. */
    boolean contains(String domain);
}
