package org.jsmarthost.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.function.Function;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The one place that talks to Redis: a connection pool with short timeouts, Lua scripts run by SHA with a
 * fallback to EVAL when the server forgot them, and every failure turned into a {@link RedisStateException}
 * that names the backend and the operation.
 */
final class RedisClient implements AutoCloseable {
    /** A Lua script and its SHA-1, as Redis computes it. */
    static final class Script {
        final String source;
        final String sha;

        Script(String source) {
            this.source = source;
            this.sha = sha1(source);
        }
    }

    private final String name;
    private final JedisPooled jedis;

    RedisClient(RedisSettings settings) {
        this.name = settings.describe();
        int ms = (int) settings.timeout().toMillis();
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(ms)
                .socketTimeoutMillis(ms)
                .database(settings.database())
                .clientName("smarthost");
        if (settings.password() != null) {
            client.user(settings.user()).password(settings.password());
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(settings.pool());
        pool.setMaxIdle(settings.pool());
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(settings.timeout());
        pool.setTestOnBorrow(false);
        pool.setTestWhileIdle(true);
        this.jedis = new JedisPooled(new HostAndPort(settings.host(), settings.port()), client.build(), pool);
    }

    /** Runs {@code command}; any failure becomes a {@link RedisStateException} naming {@code operation}. */
    <T> T call(String operation, Function<JedisPooled, T> command) {
        try {
            return command.apply(jedis);
        } catch (RedisStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(operation, e);
        }
    }

    /** Runs a Lua script (EVALSHA, then EVAL if the server does not have it cached). */
    Object eval(String operation, Script script, List<String> keys, List<String> args) {
        return call(operation, j -> {
            try {
                return j.evalsha(script.sha, keys, args);
            } catch (JedisNoScriptException e) {
                return j.eval(script.source, keys, args);
            }
        });
    }

    RedisStateException failure(String operation, Throwable cause) {
        StringBuilder why = new StringBuilder();
        describe(cause, why, 0);
        return new RedisStateException("Redis state backend " + name + " failed during " + operation + ": " + why, cause);
    }

    /** The messages of the cause chain and of suppressed exceptions (Jedis puts "Connection refused" there). */
    private static void describe(Throwable t, StringBuilder why, int depth) {
        if (t == null || depth > 6 || why.length() > 500) {
            return;
        }
        String m = t.getMessage();
        String text = m == null || m.isEmpty() ? t.getClass().getSimpleName() : m;
        if (why.indexOf(text) < 0) {
            if (why.length() > 0) {
                why.append(": ");
            }
            why.append(text);
        }
        for (Throwable s : t.getSuppressed()) {
            describe(s, why, depth + 1);
        }
        if (t.getCause() != t) {
            describe(t.getCause(), why, depth + 1);
        }
    }

    String name() {
        return name;
    }

    @Override
    public void close() {
        jedis.close();
    }

    private static String sha1(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder s = new StringBuilder(40);
            for (byte b : d) {
                s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return s.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
