package org.jsmarthost.redis;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.jsmarthost.core.relay.PopAuthStore;
import org.jsmarthost.core.relay.TrustedNetworks;

import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * {@link PopAuthStore} over Redis, same behaviour as the in-memory store, shared by every node using the same
 * Redis database. One hash per client address: {@code smarthost:pop:<address>} with fields {@code sec} and
 * {@code nano} (login time, epoch seconds and nanoseconds) and {@code login}, expired by Redis
 * {@code PEXPIRE <window>} after the login.
 * <ul>
 * <li>{@link #record}: one Lua script (atomic across nodes): the newer login wins, a late older one is ignored;
 *     the key lives for the current window. While the window is zero (SMTP-after-POP disabled) nothing is
 *     recorded.</li>
 * <li>{@link #lookup}: {@code HMGET}; valid while {@code when <= now < when + window}, the window being read at
 *     every call, so a shortened window applies at once. A lengthened window applies to logins recorded after
 *     the change (the others already have their Redis expiry).</li>
 * <li>{@link #list}: {@code SCAN MATCH smarthost:pop:*} + pipelined {@code HMGET}, valid entries oldest first.</li>
 * </ul>
 * Times are the callers' (the node clocks, which must be NTP-synchronised as for any cluster); Redis's clock only
 * garbage-collects.
 */
final class RedisPopAuthStore implements PopAuthStore {
    static final String NAMESPACE = "smarthost:pop:";

    static final RedisClient.Script RECORD = new RedisClient.Script(String.join("\n",
            "local cur = redis.call('HMGET', KEYS[1], 'sec', 'nano')",
            "if cur[1] then",
            "  local cs, cn = tonumber(cur[1]), tonumber(cur[2])",
            "  local ns, nn = tonumber(ARGV[1]), tonumber(ARGV[2])",
            "  if ns < cs or (ns == cs and nn < cn) then return 0 end",
            "end",
            "redis.call('HSET', KEYS[1], 'sec', ARGV[1], 'nano', ARGV[2], 'login', ARGV[3])",
            "redis.call('PEXPIRE', KEYS[1], ARGV[4])",
            "return 1"));

    private static final int SCAN_COUNT = 500;

    private final RedisClient redis;
    private final Supplier<Duration> window;

    RedisPopAuthStore(RedisClient redis, Supplier<Duration> window) {
        this.redis = Objects.requireNonNull(redis);
        this.window = Objects.requireNonNull(window);
    }

    @Override
    public void record(InetAddress client, String login, Instant when) {
        Objects.requireNonNull(when, "when");
        String address = TrustedNetworks.addressText(client);
        String normalised = Objects.requireNonNull(login, "login").trim().toLowerCase(Locale.ROOT);
        Duration w = window.get();
        if (w.isZero() || w.isNegative()) {
            return;
        }
        long ttl = Math.max(1, w.toMillis());
        redis.eval("pop-auth record " + address, RECORD, Collections.singletonList(NAMESPACE + address),
                List.of(Long.toString(when.getEpochSecond()), Integer.toString(when.getNano()), normalised,
                        Long.toString(ttl)));
    }

    @Override
    public Optional<String> lookup(InetAddress client, Instant now) {
        Objects.requireNonNull(now, "now");
        String address = TrustedNetworks.addressText(client);
        List<String> fields = redis.call("pop-auth lookup " + address,
                j -> j.hmget(NAMESPACE + address, "sec", "nano", "login"));
        Stored s = Stored.of(fields);
        return s != null && s.validAt(now, window.get()) ? Optional.of(s.login) : Optional.empty();
    }

    @Override
    public List<Entry> list(Instant now) {
        Objects.requireNonNull(now, "now");
        Duration w = window.get();
        List<Entry> out = new ArrayList<>();
        redis.call("pop-auth list", j -> {
            ScanParams params = new ScanParams().match(NAMESPACE + "*").count(SCAN_COUNT);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = j.scan(cursor, params);
                List<String> keys = page.getResult();
                if (!keys.isEmpty()) {
                    List<Response<List<String>>> replies = new ArrayList<>(keys.size());
                    try (Pipeline p = j.pipelined()) {
                        for (String k : keys) {
                            replies.add(p.hmget(k, "sec", "nano", "login"));
                        }
                        p.sync();
                    }
                    for (int i = 0; i < keys.size(); i++) {
                        Stored s = Stored.of(replies.get(i).get());
                        if (s != null && s.validAt(now, w)) {
                            out.add(new Entry(keys.get(i).substring(NAMESPACE.length()), s.login, s.when,
                                    s.when.plus(w)));
                        }
                    }
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            return null;
        });
        out.sort(Comparator.comparing(Entry::when).thenComparing(Entry::client));
        return out;
    }

    /** One hash read back; null when absent or not written by this store. */
    private static final class Stored {
        final Instant when;
        final String login;

        private Stored(Instant when, String login) {
            this.when = when;
            this.login = login;
        }

        static Stored of(List<String> fields) {
            if (fields == null || fields.size() != 3 || fields.get(0) == null || fields.get(1) == null
                    || fields.get(2) == null) {
                return null;
            }
            try {
                return new Stored(Instant.ofEpochSecond(Long.parseLong(fields.get(0)), Long.parseLong(fields.get(1))),
                        fields.get(2));
            } catch (RuntimeException e) {
                return null;
            }
        }

        boolean validAt(Instant now, Duration window) {
            return !window.isZero() && !window.isNegative() && !now.isBefore(when) && now.isBefore(when.plus(window));
        }
    }
}
