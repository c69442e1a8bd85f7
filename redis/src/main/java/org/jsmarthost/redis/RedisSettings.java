package org.jsmarthost.redis;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Immutable connection settings parsed from a {@code redis://} URI; see {@link RedisRelayStateBackend} for the
 * format. Every error names the part of the URI, the bad value and what was expected.
 */
final class RedisSettings {
    static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(1000);
    static final int DEFAULT_POOL = 16;
    static final long MIN_TIMEOUT_MS = 10;
    static final long MAX_TIMEOUT_MS = 60_000;
    static final int MAX_POOL = 1024;

    private final String host;
    private final int port;
    private final int database;
    private final String user;
    private final String password;
    private final Duration timeout;
    private final int pool;

    private RedisSettings(String host, int port, int database, String user, String password, Duration timeout,
            int pool) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.timeout = timeout;
        this.pool = pool;
    }

    static RedisSettings parse(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String shown = withoutCredentials(uri);
        if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("redis")) {
            throw bad(shown, "scheme '" + uri.getScheme() + "' is not supported: expected redis://HOST:PORT[/DB]");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw bad(shown, "has no host: expected redis://HOST:PORT[/DB]");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort();
        if (port < 1 || port > 65535) {
            throw bad(shown, "port " + port + " is not valid: expected redis://HOST:PORT[/DB] with PORT 1..65535");
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            String db = path.substring(1);
            database = parseInt(shown, "database '" + db + "'", db, 0, Integer.MAX_VALUE,
                    "a database number /0, /1, ...");
        }
        String user = null;
        String password = null;
        String info = uri.getUserInfo();
        if (info != null && !info.isEmpty()) {
            int colon = info.indexOf(':');
            if (colon < 0) {
                password = info;
            } else {
                user = colon == 0 ? null : info.substring(0, colon);
                password = info.substring(colon + 1);
            }
            if (password.isEmpty()) {
                throw bad(shown, "has an empty password: expected redis://[USER]:PASSWORD@HOST:PORT");
            }
        }
        Duration timeout = DEFAULT_TIMEOUT;
        int pool = DEFAULT_POOL;
        String query = uri.getQuery();
        if (query != null && !query.isEmpty()) {
            for (String param : query.split("&", -1)) {
                int eq = param.indexOf('=');
                String name = eq < 0 ? param : param.substring(0, eq);
                String value = eq < 0 ? "" : param.substring(eq + 1);
                if (name.equals("timeout")) {
                    String ms = value.endsWith("ms") ? value.substring(0, value.length() - 2) : value;
                    timeout = Duration.ofMillis(parseInt(shown, "timeout '" + value + "'", ms, MIN_TIMEOUT_MS,
                            MAX_TIMEOUT_MS, "milliseconds " + MIN_TIMEOUT_MS + ".." + MAX_TIMEOUT_MS));
                } else if (name.equals("pool")) {
                    pool = parseInt(shown, "pool '" + value + "'", value, 1, MAX_POOL, "connections 1.." + MAX_POOL);
                } else {
                    throw bad(shown, "parameter '" + name + "' is unknown: expected timeout=MILLISECONDS or pool=N");
                }
            }
        }
        return new RedisSettings(host, port, database, user, password, timeout, pool);
    }

    private static int parseInt(String shown, String what, String text, long min, long max, String expected) {
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw bad(shown, what + " is not a number: expected " + expected);
        }
        if (v < min || v > max) {
            throw bad(shown, what + " is out of range: expected " + expected);
        }
        return (int) v;
    }

    private static IllegalArgumentException bad(String shown, String problem) {
        return new IllegalArgumentException("state backend " + shown + ": " + problem);
    }

    /** The URI as an admin may see it in logs: no user, no password. */
    static String withoutCredentials(URI uri) {
        StringBuilder s = new StringBuilder();
        if (uri.getScheme() != null) {
            s.append(uri.getScheme()).append("://");
        }
        if (uri.getHost() != null) {
            s.append(uri.getHost());
        } else if (uri.getRawAuthority() != null) {
            String a = uri.getRawAuthority();
            s.append(a.substring(a.lastIndexOf('@') + 1));
        }
        if (uri.getPort() >= 0 && uri.getHost() != null) {
            s.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            s.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            s.append('?').append(uri.getRawQuery());
        }
        return s.toString();
    }

    /** {@code redis://HOST:PORT/DB}: no credentials, the database always shown. */
    String describe() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "redis://" + h + ":" + port + "/" + database;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    int database() {
        return database;
    }

    /** Null for the default user. */
    String user() {
        return user;
    }

    /** Null when the server needs no password. */
    String password() {
        return password;
    }

    Duration timeout() {
        return timeout;
    }

    int pool() {
        return pool;
    }
}
