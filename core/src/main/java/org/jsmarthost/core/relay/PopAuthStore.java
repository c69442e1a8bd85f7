package org.jsmarthost.core.relay;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * SMTP-after-POP memory: which login last logged in by POP3 from which client address, and when. A POP3 login
 * opens relaying for that address for {@code pop_window}; expired entries are never returned. Implementations:
 * {@link InMemoryPopAuthStore} (one James node); a Redis one shares the entries between nodes. Addresses are
 * matched after IPv4-mapped normalisation ({@code ::ffff:192.0.2.7} is {@code 192.0.2.7}).
 */
public interface PopAuthStore {
    /** Records a successful POP3 login of {@code login} from {@code client} at {@code when}. */
    void record(InetAddress client, String login, Instant when);

    /** The login that opened relaying for {@code client}, if its POP3 login is still within the window at {@code now}. */
    Optional<String> lookup(InetAddress client, Instant now);

    /** The entries still valid at {@code now}, oldest first (for {@code smarthost-cli pop-auth list}). */
    List<Entry> list(Instant now);

    /** One remembered POP3 login. */
    final class Entry {
        private final String client;
        private final String login;
        private final Instant when;
        private final Instant expires;

        public Entry(String client, String login, Instant when, Instant expires) {
            this.client = Objects.requireNonNull(client);
            this.login = Objects.requireNonNull(login);
            this.when = Objects.requireNonNull(when);
            this.expires = Objects.requireNonNull(expires);
        }

        /** Client address text ({@link TrustedNetworks#addressText}). */
        public String client() {
            return client;
        }

        public String login() {
            return login;
        }

        public Instant when() {
            return when;
        }

        public Instant expires() {
            return expires;
        }

        @Override
        public String toString() {
            return client + " " + login + " " + when + " expires " + expires;
        }
    }
}
