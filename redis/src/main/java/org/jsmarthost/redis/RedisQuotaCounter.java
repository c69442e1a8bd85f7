package org.jsmarthost.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import org.jsmarthost.core.relay.QuotaCounter;

import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * {@link QuotaCounter} over Redis. Counter {@code K} is the integer key {@code smarthost:quota:K}, expired by
 * Redis itself ({@code PEXPIREAT}, millisecond precision, by the Redis server's clock).
 * <ul>
 * <li>{@link #addAndGet}: one Lua script, so atomic against every node: {@code INCRBY}, then the expiry is moved
 *     to {@code expiresAt} if the key had none or an earlier one (never shortened), exactly like the in-memory
 *     counter. An {@code expiresAt} already in the past returns the new value and leaves a key that reads 0.</li>
 * <li>{@link #get}: {@code GET}; absent or expired is 0.</li>
 * <li>{@link #reset}: {@code SCAN MATCH smarthost:quota:<prefix>*} (glob characters of the prefix escaped) and
 *     {@code DEL}; returns the number of keys Redis deleted.</li>
 * </ul>
 */
final class RedisQuotaCounter implements QuotaCounter {
    static final String NAMESPACE = "smarthost:quota:";

    static final RedisClient.Script ADD = new RedisClient.Script(String.join("\n",
            "local v = redis.call('INCRBY', KEYS[1], ARGV[1])",
            "local want = tonumber(ARGV[2])",
            "local ttl = redis.call('PTTL', KEYS[1])",
            "if ttl < 0 then",
            "  redis.call('PEXPIREAT', KEYS[1], want)",
            "else",
            "  local t = redis.call('TIME')",
            "  local current = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl",
            "  if want > current then redis.call('PEXPIREAT', KEYS[1], want) end",
            "end",
            "return v"));

    private static final int SCAN_COUNT = 500;

    private final RedisClient redis;

    RedisQuotaCounter(RedisClient redis) {
        this.redis = Objects.requireNonNull(redis);
    }

    @Override
    public long addAndGet(String key, long delta, Instant expiresAt) {
        Objects.requireNonNull(key, "key");
        long at = ceilMillis(Objects.requireNonNull(expiresAt, "expiresAt"));
        Object v = redis.eval("quota addAndGet " + key, ADD, Collections.singletonList(NAMESPACE + key),
                List.of(Long.toString(delta), Long.toString(at)));
        if (!(v instanceof Long)) {
            throw redis.failure("quota addAndGet " + key, new IllegalStateException("unexpected reply " + v));
        }
        return (Long) v;
    }

    @Override
    public long get(String key) {
        Objects.requireNonNull(key, "key");
        String v = redis.call("quota get " + key, j -> j.get(NAMESPACE + key));
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw redis.failure("quota get " + key, new IllegalStateException("'" + NAMESPACE + key
                    + "' holds '" + v + "', expected an integer counter", e));
        }
    }

    @Override
    public int reset(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        String pattern = NAMESPACE + globEscape(prefix) + "*";
        String full = NAMESPACE + prefix;
        return redis.call("quota reset " + prefix, j -> {
            ScanParams params = new ScanParams().match(pattern).count(SCAN_COUNT);
            String cursor = ScanParams.SCAN_POINTER_START;
            long deleted = 0;
            do {
                ScanResult<String> page = j.scan(cursor, params);
                List<String> keys = new ArrayList<>();
                for (String k : page.getResult()) {
                    if (k.startsWith(full)) {
                        keys.add(k);
                    }
                }
                if (!keys.isEmpty()) {
                    deleted += j.del(keys.toArray(new String[0]));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            return (int) Math.min(Integer.MAX_VALUE, deleted);
        });
    }

    /** Escapes the Redis glob characters {@code * ? [ ] \} so that a prefix matches literally. */
    static String globEscape(String text) {
        StringBuilder s = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '^' || c == '-') {
                s.append('\\');
            }
            s.append(c);
        }
        return s.toString();
    }

    private static long ceilMillis(Instant t) {
        long ms = t.toEpochMilli();
        return t.getNano() % 1_000_000 == 0 ? ms : ms + 1;
    }
}
