package org.jsmarthost.distribution.durable;

import java.time.Duration;

/**
 * How long cached domain-list and mapping answers live ({@link ReadCache}): for ever (until this process
 * writes) when the database is the embedded Derby that only this process can open; {@link #SHARED_TTL}
 * when {@code conf/james-database.properties} points to a database other servers may write to.
 */
public final class DataCachePolicy {
    static final Duration SHARED_TTL = Duration.ofSeconds(10);
    static final int MAX_ENTRIES = 50_000;

    private final Duration ttl;

    DataCachePolicy(Duration ttl) {
        this.ttl = ttl;
    }

    static DataCachePolicy forDatabase(boolean embeddedDerby) {
        return new DataCachePolicy(embeddedDerby ? Duration.ZERO : SHARED_TTL);
    }

    Duration ttl() {
        return ttl;
    }

    <K, V> ReadCache<K, V> newCache() {
        return new ReadCache<>(ttl, MAX_ENTRIES);
    }
}
