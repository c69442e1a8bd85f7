package org.jsmarthost.distribution.durable;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.domainlist.jpa.JPADomainList;

/**
 * James's JPA domain list with the "is this domain ours?" answers cached ({@link ReadCache}); adding or
 * removing a domain (james-cli, WebAdmin) empties the cache once the change is committed.
 */
public class CachingJPADomainList extends JPADomainList {
    private final ReadCache<Domain, Boolean> contains;

    @Inject
    public CachingJPADomainList(DNSService dns, EntityManagerFactory entityManagerFactory, DataCachePolicy policy) {
        super(dns, entityManagerFactory);
        this.contains = policy.newCache();
    }

    @Override
    protected boolean containsDomainInternal(Domain domain) throws DomainListException {
        return contains.get(domain, () -> super.containsDomainInternal(domain));
    }

    @Override
    public void addDomain(Domain domain) throws DomainListException {
        try {
            super.addDomain(domain);
        } finally {
            contains.invalidateAll();
        }
    }

    @Override
    public void doRemoveDomain(Domain domain) throws DomainListException {
        try {
            super.doRemoveDomain(domain);
        } finally {
            contains.invalidateAll();
        }
    }
}
