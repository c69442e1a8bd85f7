package org.jsmarthost.distribution.durable;

import java.io.FileNotFoundException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import javax.inject.Singleton;
import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.utils.PropertiesProvider;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Replaces the memory app's in-heap domain list and recipient rewrite table by James's stock JPA
 * implementations ({@code james-server-data-jpa}: {@code JPADomainList}, {@code JPARecipientRewriteTable})
 * on an embedded Apache Derby database under {@code var/store/derby/}. Users: {@link DurableUsersModule}.
 *
 * <p>The database is configured in {@code conf/james-database.properties} (same keys as James's JPA
 * server): {@code database.driverClassName}, {@code database.url}, optional {@code database.username} /
 * {@code database.password} and any {@code openjpa.*} property. Without the file: embedded Derby at
 * {@code jdbc:derby:var/store/derby;create=true} (relative to the server home, the process's working
 * directory). Derby commits are written to its transaction log and synced before the commit returns, so a
 * domain, user or mapping that {@code james-cli} reported as added survives a crash.
 *
 * <p>Domain and mapping lookups run several times per message; the bound implementations
 * ({@link CachingJPADomainList}, {@link CachingJPARecipientRewriteTable}) answer them from a cache that
 * every write through this server empties ({@link DataCachePolicy}: exact for embedded Derby, 10 s
 * staleness for a database shared with other servers).
 */
public final class DurableDataModule extends AbstractModule {
    static final String PERSISTENCE_UNIT = "smarthost";
    static final String DEFAULT_DRIVER = "org.apache.derby.jdbc.EmbeddedDriver";
    static final String DEFAULT_URL = "jdbc:derby:var/store/derby;create=true";

    @Override
    protected void configure() {
        bind(CachingJPADomainList.class).in(Scopes.SINGLETON);
        bind(JPADomainList.class).to(CachingJPADomainList.class);
        bind(DomainList.class).to(CachingJPADomainList.class);
        bind(CachingJPARecipientRewriteTable.class).in(Scopes.SINGLETON);
        bind(JPARecipientRewriteTable.class).to(CachingJPARecipientRewriteTable.class);
        bind(RecipientRewriteTable.class).to(CachingJPARecipientRewriteTable.class);
    }

    @Provides
    @Singleton
    DataCachePolicy dataCachePolicy(DatabaseSettings settings) {
        return DataCachePolicy.forDatabase(settings.isEmbeddedDerby());
    }

    @Provides
    @Singleton
    DatabaseSettings databaseSettings(PropertiesProvider propertiesProvider) throws ConfigurationException {
        try {
            Configuration file = propertiesProvider.getConfiguration("james-database");
            Map<String, String> openjpa = new HashMap<>();
            Iterator<String> keys = file.getKeys("openjpa");
            while (keys.hasNext()) {
                String key = keys.next();
                openjpa.put(key, file.getString(key));
            }
            return new DatabaseSettings(file.getString("database.driverClassName", DEFAULT_DRIVER),
                file.getString("database.url", DEFAULT_URL),
                file.getString("database.username", ""), file.getString("database.password", ""), openjpa);
        } catch (FileNotFoundException e) {
            return new DatabaseSettings(DEFAULT_DRIVER, DEFAULT_URL, "", "", Map.of());
        }
    }

    @Provides
    @Singleton
    EntityManagerFactory entityManagerFactory(DatabaseSettings settings) {
        Map<String, String> properties = new HashMap<>();
        properties.put("openjpa.Log", "slf4j");
        properties.put("openjpa.Multithreaded", "true");
        properties.putAll(settings.openjpa);
        properties.put("openjpa.ConnectionDriverName", settings.driver);
        properties.put("openjpa.ConnectionURL", settings.url);
        if (!settings.username.isEmpty()) {
            properties.put("openjpa.ConnectionUserName", settings.username);
            properties.put("openjpa.ConnectionPassword", settings.password);
        }
        EntityManagerFactory factory = Persistence.createEntityManagerFactory(PERSISTENCE_UNIT, properties);
        // connect and create/check the schema now: a broken database stops the start, not the first AUTH
        factory.createEntityManager().close();
        return factory;
    }

    @ProvidesIntoSet
    InitializationOperation configureDomainList(DomainListConfiguration configuration, CachingJPADomainList domainList) {
        // forClass names the bound class itself: James orders start-up operations along the Guice dependency
        // graph of that class (naming the linked JPADomainList would let the spooler run before the configuration)
        return InitilizationOperationBuilder
            .forClass(CachingJPADomainList.class)
            .init(() -> domainList.configure(configuration));
    }

    @ProvidesIntoSet
    InitializationOperation configureRecipientRewriteTable(ConfigurationProvider configurationProvider, CachingJPARecipientRewriteTable table) {
        return InitilizationOperationBuilder
            .forClass(CachingJPARecipientRewriteTable.class)
            .init(() -> table.configure(configurationProvider.getConfiguration("recipientrewritetable")));
    }

    /** conf/james-database.properties, read once. */
    static final class DatabaseSettings {
        final String driver;
        final String url;
        final String username;
        final String password;
        final Map<String, String> openjpa;

        DatabaseSettings(String driver, String url, String username, String password, Map<String, String> openjpa) {
            this.driver = driver;
            this.url = url;
            this.username = username;
            this.password = password;
            this.openjpa = Map.copyOf(openjpa);
        }

        boolean isEmbeddedDerby() {
            return DEFAULT_DRIVER.equals(driver) && url.startsWith("jdbc:derby:") && !url.startsWith("jdbc:derby://");
        }
    }
}
