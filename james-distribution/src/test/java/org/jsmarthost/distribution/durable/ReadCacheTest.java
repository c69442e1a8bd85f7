package org.jsmarthost.distribution.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class ReadCacheTest {
    private final AtomicInteger loads = new AtomicInteger();

    private String load(String value) {
        loads.incrementAndGet();
        return value;
    }

    @Test
    void secondLookupIsServedFromTheCache() {
        ReadCache<String, String> cache = new ReadCache<>(Duration.ZERO, 10);
        assertThat(cache.get("k", () -> load("v1"))).isEqualTo("v1");
        assertThat(cache.get("k", () -> load("v2"))).isEqualTo("v1");
        assertThat(loads).hasValue(1);
    }

    @Test
    void invalidateAllMakesTheNextLookupLoadAgain() {
        ReadCache<String, String> cache = new ReadCache<>(Duration.ZERO, 10);
        cache.get("k", () -> load("old"));
        cache.invalidateAll();
        assertThat(cache.get("k", () -> load("new"))).isEqualTo("new");
        assertThat(loads).hasValue(2);
    }

    @Test
    void aValueLoadedWhileAWriteInvalidatesIsNotServedAfterIt() {
        ReadCache<String, String> cache = new ReadCache<>(Duration.ZERO, 10);
        // the write commits and invalidates while this lookup is reading the old state
        assertThat(cache.get("k", () -> {
            cache.invalidateAll();
            return load("read before the commit");
        })).isEqualTo("read before the commit");
        assertThat(cache.get("k", () -> load("read after the commit"))).isEqualTo("read after the commit");
    }

    @Test
    void entriesExpireAfterTheTtl() throws InterruptedException {
        ReadCache<String, String> cache = new ReadCache<>(Duration.ofMillis(30), 10);
        cache.get("k", () -> load("v1"));
        assertThat(cache.get("k", () -> load("v2"))).isEqualTo("v1");
        Thread.sleep(60);
        assertThat(cache.get("k", () -> load("v3"))).isEqualTo("v3");
    }

    @Test
    void growingBeyondTheLimitStartsAFreshMap() {
        ReadCache<Integer, String> cache = new ReadCache<>(Duration.ZERO, 3);
        for (int i = 0; i < 3; i++) {
            int n = i;
            cache.get(n, () -> "v" + n);
        }
        assertThat(cache.size()).isEqualTo(3);
        cache.get(99, () -> "v99");
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.get(99, () -> "other")).isEqualTo("v99");
    }

    @Test
    void nullResultsAndFailuresAreNotCached() {
        ReadCache<String, String> cache = new ReadCache<>(Duration.ZERO, 10);
        assertThat(cache.get("k", () -> null)).isNull();
        assertThatThrownBy(() -> cache.get("k", () -> {
            throw new IOException("database down");
        })).isInstanceOf(IOException.class).hasMessage("database down");
        assertThat(cache.get("k", () -> load("v"))).isEqualTo("v");
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void badParametersAreRefused() {
        assertThatThrownBy(() -> new ReadCache<>(Duration.ofSeconds(-1), 10)).hasMessageContaining("ttl");
        assertThatThrownBy(() -> new ReadCache<>(Duration.ZERO, 0)).hasMessageContaining("maxEntries");
    }
}
