package org.jsmarthost.redis;

import java.time.Duration;
import java.util.function.Supplier;

import org.jsmarthost.core.relay.InMemoryPopAuthStore;
import org.jsmarthost.core.relay.PopAuthStore;

/** Core's in-memory store against the shared contract (the reference the Redis store must match). */
class InMemoryPopAuthStoreContractTest extends PopAuthStoreContract {
    private PopAuthStore store;

    @Override
    protected PopAuthStore store(Supplier<Duration> window) {
        if (store == null) {
            store = new InMemoryPopAuthStore(window);
        }
        return store;
    }
}
