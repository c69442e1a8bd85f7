package org.jsmarthost.core.dkim;

import java.io.IOException;
import java.util.List;

/**
 * Finds the DKIM key records published for a selector and domain, i.e. the TXT records at
 * {@code selector._domainkey.domain}. The adapter implements it with James's DNS service; tests
 * with a map.
 */
@FunctionalInterface
public interface KeyLookup {
    /**
     * @return the TXT records (each with its strings already concatenated); empty when the name does
     *     not exist or has no TXT record
     * @throws IOException for a temporary failure (time-out, SERVFAIL): verification yields temperror
     */
    List<String> lookup(String selector, String domain) throws IOException;
}
