package org.jsmarthost.core.relay;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * In-memory {@link PopAuthStore} for a single James node. Thread-safe. The window is read on every call from
 * the supplier (normally {@code () -> reloader.current().popWindow()}), so a reload that shortens it takes effect
 * at once; a zero window means nothing is ever returned. One entry per client address (the latest login wins).
 * An entry is valid while {@code when <= now < when + window}; expired entries are removed as they are met and
 * on every {@link #record}.
 */
public final class InMemoryPopAuthStore implements PopAuthStore {
    private static final class Login {
        final String login;
        final Instant when;

        Login(String login, Instant when) {
            this.login = login;
            this.when = when;
        }
    }

    private final Supplier<Duration> window;
    private final Map<String, Login> entries = new ConcurrentHashMap<>();

    public InMemoryPopAuthStore(Supplier<Duration> window) {
        this.window = Objects.requireNonNull(window);
    }

    @Override
    public void record(InetAddress client, String login, Instant when) {
        Objects.requireNonNull(when);
        Duration w = window.get();
        entries.values().removeIf(l -> !l.when.plus(w).isAfter(when));
        entries.merge(TrustedNetworks.addressText(client), new Login(Identity.normaliseLogin(login), when),
                (old, neu) -> neu.when.isBefore(old.when) ? old : neu);
    }

    @Override
    public Optional<String> lookup(InetAddress client, Instant now) {
        String key = TrustedNetworks.addressText(client);
        Login l = entries.get(key);
        if (l == null) {
            return Optional.empty();
        }
        if (!valid(l, now, window.get())) {
            if (l.when.isBefore(now)) {
                entries.remove(key, l);
            }
            return Optional.empty();
        }
        return Optional.of(l.login);
    }

    @Override
    public List<Entry> list(Instant now) {
        Duration w = window.get();
        List<Entry> out = new ArrayList<>();
        entries.forEach((client, l) -> {
            if (valid(l, now, w)) {
                out.add(new Entry(client, l.login, l.when, l.when.plus(w)));
            }
        });
        out.sort(Comparator.comparing(Entry::when).thenComparing(Entry::client));
        return out;
    }

    private static boolean valid(Login l, Instant now, Duration window) {
        return !window.isZero() && !window.isNegative() && !now.isBefore(l.when) && now.isBefore(l.when.plus(window));
    }
}
