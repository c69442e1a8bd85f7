package org.jsmarthost.distribution.durable;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A read-through cache that a writer empties after every change it commits. Lookups of domains and
 * address mappings run several times per message (RCPT validation, the {@code RecipientRewriteTable}
 * mailet, {@code HostIsLocal}, {@code isLocalServer}); without a cache each one is a JPA query.
 *
 * <p>Coherence: {@link #invalidateAll()} swaps in a fresh map after the write has been committed. A
 * reader that started before the swap stores what it loaded into the old map, which nobody reads any
 * more, so a value loaded before the commit is never served after it. When every write goes through
 * this process (embedded Derby: no other process can open the database) that is exact and entries
 * never expire ({@code ttl} zero). When the database is shared with other servers, writes made there
 * are seen after at most {@code ttl}.
 *
 * <p>Size: at most {@code maxEntries} entries; a lookup that would grow the map beyond it starts a
 * fresh one (a cache of recipients is re-filled from the hot ones within a second of load).
 */
final class ReadCache<K, V> {
    /** A lookup that may fail with the store's checked exception. */
    interface Loader<V, E extends Exception> {
        V load() throws E;
    }

    private static final class Entry<V> {
        final V value;
        final long loadedAt;

        Entry(V value, long loadedAt) {
            this.value = value;
            this.loadedAt = loadedAt;
        }
    }

    private final long ttlNanos;
    private final int maxEntries;
    private volatile ConcurrentMap<K, Entry<V>> entries = new ConcurrentHashMap<>();

    ReadCache(Duration ttl, int maxEntries) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative: " + ttl);
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
        }
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
    }

    /** The cached value of {@code key}, or what {@code loader} returns (a null result is not cached). */
    <E extends Exception> V get(K key, Loader<V, E> loader) throws E {
        ConcurrentMap<K, Entry<V>> map = entries;
        Entry<V> entry = map.get(key);
        long now = ttlNanos == 0 ? 0 : System.nanoTime();
        if (entry != null && (ttlNanos == 0 || now - entry.loadedAt < ttlNanos)) {
            return entry.value;
        }
        V value = loader.load();
        if (value != null) {
            if (map.size() >= maxEntries) {
                entries = new ConcurrentHashMap<>();
                map = entries;
            }
            map.put(key, new Entry<>(value, now));
        }
        return value;
    }

    /** Forgets everything; call it after a committed write (and after a failed one: it costs nothing). */
    void invalidateAll() {
        entries = new ConcurrentHashMap<>();
    }

    int size() {
        return entries.size();
    }
}
