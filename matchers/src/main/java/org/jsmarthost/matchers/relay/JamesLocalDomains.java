package org.jsmarthost.matchers.relay;

import java.util.Objects;
import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.jsmarthost.core.relay.LocalDomains;

/** {@link LocalDomains} over James's DomainList (managed with {@code james-cli AddDomain}); lookups are live. */
final class JamesLocalDomains implements LocalDomains {
    private final DomainList domainList;

    JamesLocalDomains(DomainList domainList) {
        this.domainList = Objects.requireNonNull(domainList);
    }

    @Override
    public boolean contains(String domain) {
        try {
            return domainList.containsDomain(Domain.of(domain));
        } catch (DomainListException e) {
            throw new IllegalStateException("DomainList lookup of " + domain + " failed: " + e.getMessage(), e);
        }
    }
}
