package org.jsmarthost.distribution.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.apache.james.core.Domain;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.rrt.api.RecipientRewriteTableConfiguration;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cached domain list and rewrite table on a real (in-memory) Derby through James's JPA entities. A
 * second, uncached instance on the same database plays "a write that did not go through this server": it
 * shows when an answer came from the cache, and the cached instance's own writes must be seen at once.
 */
class CachingJpaDataTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private EntityManagerFactory factory;

    @BeforeEach
    void database() {
        factory = Persistence.createEntityManagerFactory(DurableDataModule.PERSISTENCE_UNIT, Map.of(
            "openjpa.ConnectionDriverName", DurableDataModule.DEFAULT_DRIVER,
            "openjpa.ConnectionURL", "jdbc:derby:memory:cache" + DATABASES.incrementAndGet() + ";create=true",
            "openjpa.Log", "slf4j", "openjpa.Multithreaded", "true"));
    }

    @AfterEach
    void close() {
        factory.close();
    }

    private static DomainListConfiguration domainConfiguration() {
        return DomainListConfiguration.builder().autoDetect(false).autoDetectIp(false)
            .defaultDomain(Domain.of("localhost")).build();
    }

    @Test
    void domainListAnswersFromTheCacheAndSeesItsOwnWritesAtOnce() throws Exception {
        CachingJPADomainList cached = new CachingJPADomainList(null, factory, DataCachePolicy.forDatabase(true));
        cached.configure(domainConfiguration());
        JPADomainList behindItsBack = new JPADomainList(null, factory);

        Domain a = Domain.of("a.example");
        Domain b = Domain.of("b.example");
        assertThat(cached.containsDomain(a)).isFalse();
        behindItsBack.addDomain(a);
        assertThat(cached.containsDomain(a)).as("cached answer").isFalse();

        cached.addDomain(b);
        assertThat(cached.containsDomain(b)).isTrue();
        assertThat(cached.containsDomain(a)).as("the cache was emptied by the write").isTrue();

        cached.removeDomain(b);
        assertThat(cached.containsDomain(b)).isFalse();
        assertThat(cached.getDomains()).contains(a, Domain.of("localhost")).doesNotContain(b);
    }

    @Test
    void rewriteTableAnswersFromTheCacheAndSeesItsOwnWritesAtOnce() throws Exception {
        CachingJPADomainList domains = new CachingJPADomainList(null, factory, DataCachePolicy.forDatabase(true));
        domains.configure(domainConfiguration());
        domains.addDomain(Domain.of("example.org"));
        CachingJPARecipientRewriteTable cached = new CachingJPARecipientRewriteTable(DataCachePolicy.forDatabase(true));
        cached.setEntityManagerFactory(factory);
        cached.setConfiguration(new RecipientRewriteTableConfiguration(true, 10));
        cached.setDomainList(domains);
        JPARecipientRewriteTable behindItsBack = new JPARecipientRewriteTable();
        behindItsBack.setEntityManagerFactory(factory);

        MappingSource alice = MappingSource.parse("alice@example.org");
        assertThat(cached.getResolvedMappings("alice", Domain.of("example.org")).isEmpty()).isTrue();
        behindItsBack.addMapping(alice, Mapping.forward("elsewhere@example.net"));
        assertThat(cached.getResolvedMappings("alice", Domain.of("example.org")).isEmpty()).as("cached answer").isTrue();

        cached.addMapping(MappingSource.parse("bob@example.org"), Mapping.forward("bob@example.net"));
        assertThat(cached.getResolvedMappings("alice", Domain.of("example.org")).asStream().map(Mapping::asString))
            .as("the cache was emptied by the write").contains("forward:elsewhere@example.net");
        assertThat(cached.getResolvedMappings("bob", Domain.of("example.org")).asStream().map(Mapping::asString))
            .contains("forward:bob@example.net");

        cached.removeMapping(MappingSource.parse("bob@example.org"), Mapping.forward("bob@example.net"));
        assertThat(cached.getResolvedMappings("bob", Domain.of("example.org")).isEmpty()).isTrue();
    }

    @Test
    void aSharedDatabaseBoundsStalenessByTheTtl() {
        assertThat(DataCachePolicy.forDatabase(false).ttl()).isEqualTo(DataCachePolicy.SHARED_TTL);
        assertThat(DataCachePolicy.forDatabase(true).ttl().isZero()).isTrue();
    }
}
