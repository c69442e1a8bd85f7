package org.jsmarthost.core.relay;

import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Chooses the {@link RelayStateBackend} from a specification and shares one instance per specification in
 * this class loader (all pack components of a James node share it).
 *
 * <pre>
 * memory                      in this JVM only (default); lost at restart
 * redis://HOST:PORT[/DB]      a Redis server shared by several James nodes; needs smarthost-redis-VERSION.jar
 *                             in extensions-jars/ (class org.jsmarthost.redis.RedisRelayStateBackend)
 * </pre>
 *
 * A bad specification is refused with what was expected; an unreachable Redis is the backend's concern
 * (commands then fail, and the adapters answer 451 4.3.0 — fail closed).
 */
public final class RelayStateBackends {
    static final String REDIS_BACKEND_CLASS = "org.jsmarthost.redis.RedisRelayStateBackend";

    private static final Map<String, RelayStateBackend> SHARED = new HashMap<>();

    private RelayStateBackends() {
    }

    /** The shared backend for {@code spec}, created on first use. */
    public static synchronized RelayStateBackend shared(String spec) {
        String key = spec == null || spec.isBlank() ? "memory" : spec.trim();
        RelayStateBackend backend = SHARED.get(key);
        if (backend == null) {
            backend = create(key);
            SHARED.put(key, backend);
        }
        return backend;
    }

    /** The specification without credentials, for messages and logs. */
    static String redacted(String spec) {
        return spec.replaceAll("(?i)^(redis://)[^@/]*@", "$1***@");
    }

    static RelayStateBackend create(String spec) {
        if (spec.equals("memory")) {
            return new Memory();
        }
        if (spec.toLowerCase(Locale.ROOT).startsWith("redis://")) {
            URI uri;
            try {
                uri = new URI(spec);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("state backend '" + redacted(spec) + "' is not a valid URI: expected redis://HOST:PORT[/DB]", e);
            }
            if (uri.getHost() == null || uri.getPort() < 1) {
                throw new IllegalArgumentException("state backend '" + redacted(spec) + "' needs a host and a port: expected redis://HOST:PORT[/DB]");
            }
            return loadRedis(uri, redacted(spec));
        }
        throw new IllegalArgumentException("state backend '" + redacted(spec) + "' is unknown: expected 'memory' or redis://HOST:PORT[/DB]");
    }

    private static RelayStateBackend loadRedis(URI uri, String shown) {
        try {
            Class<?> type = Class.forName(REDIS_BACKEND_CLASS, true, RelayStateBackends.class.getClassLoader());
            return (RelayStateBackend) type.getConstructor(URI.class).newInstance(uri);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("state backend " + shown + " needs the Redis backend of the pack: copy "
                + "smarthost-redis-VERSION.jar into extensions-jars/ (" + REDIS_BACKEND_CLASS + " not found)", e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("state backend " + shown + " failed to start: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + REDIS_BACKEND_CLASS + ": " + e, e);
        }
    }

    /** In-JVM state: one POP store and one counter set per backend. */
    static final class Memory implements RelayStateBackend {
        private PopAuthStore popAuthStore;
        private QuotaCounter quotaCounter;

        @Override
        public String describe() {
            return "memory";
        }

        @Override
        public synchronized PopAuthStore popAuthStore(Supplier<Duration> window) {
            if (popAuthStore == null) {
                popAuthStore = new InMemoryPopAuthStore(window);
            }
            return popAuthStore;
        }

        @Override
        public synchronized QuotaCounter quotaCounter(Clock clock) {
            if (quotaCounter == null) {
                quotaCounter = new InMemoryQuotaCounter(clock);
            }
            return quotaCounter;
        }
    }
}
