package org.jsmarthost.distribution.durable;

import javax.inject.Inject;

import org.apache.james.core.Domain;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.lib.Mappings;

/**
 * James's JPA recipient rewrite table with the per-address lookup ({@code mapAddress}: the address, its
 * domain wildcard and domain alias rows) cached ({@link ReadCache}). Every change goes through
 * {@code addMapping}/{@code removeMapping} (james-cli, WebAdmin and the add-/remove-X-mapping helpers all
 * end there), which empty the cache once the change is committed.
 */
public class CachingJPARecipientRewriteTable extends JPARecipientRewriteTable {
    private final ReadCache<String, Mappings> mappings;

    @Inject
    public CachingJPARecipientRewriteTable(DataCachePolicy policy) {
        this.mappings = policy.newCache();
    }

    @Override
    protected Mappings mapAddress(String user, Domain domain) throws RecipientRewriteTableException {
        return mappings.get(user + '@' + domain.asString(), () -> super.mapAddress(user, domain));
    }

    @Override
    public void addMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        try {
            super.addMapping(source, mapping);
        } finally {
            mappings.invalidateAll();
        }
    }

    @Override
    public void removeMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        try {
            super.removeMapping(source, mapping);
        } finally {
            mappings.invalidateAll();
        }
    }
}
