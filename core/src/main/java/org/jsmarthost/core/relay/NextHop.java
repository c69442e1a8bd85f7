package org.jsmarthost.core.relay;

import java.util.Objects;
import java.util.Optional;

/**
 * Where mail for a relay domain goes: {@code mx} (look up the recipient domain's MX records) or a fixed host
 * and port ({@code host}, {@code host:port}, {@code [ipv6]:port}; the port defaults to 25).
 */
public final class NextHop {
    private static final NextHop MX = new NextHop(null, 25);
    private final String host;
    private final int port;

    private NextHop(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** Next hop found through the recipient domain's MX records. */
    public static NextHop mx() {
        return MX;
    }

    /** A fixed host (name or IP literal without brackets) and port. */
    public static NextHop host(String host, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535");
        }
        return new NextHop(Objects.requireNonNull(host), port);
    }

    /**
     * Parses {@code mx}, {@code host}, {@code host:port}, {@code [ip]} or {@code [ip]:port}. Host names may be
     * single-label (an internal host) but must consist of letters, digits, hyphens and dots.
     *
     * @throws IllegalArgumentException naming the value and what was expected
     */
    public static NextHop parse(String text) {
        String expected = ", expected 'mx', host, host:port or [ip]:port";
        if ("mx".equalsIgnoreCase(text)) {
            return MX;
        }
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty next hop" + expected);
        }
        String host;
        String portText = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' has '[' without ']'" + expected);
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + text + "' has text after ']'" + expected);
                }
                portText = rest.substring(1);
            }
            try {
                TrustedNetworks.parseAddress(host);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text + "': " + e.getMessage(), e);
            }
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            portText = colon < 0 ? null : text.substring(colon + 1);
            if ("mx".equalsIgnoreCase(host)) {
                throw new IllegalArgumentException("'" + text + "' has an invalid host 'mx' ('mx' means MX lookup"
                        + " and takes no port)" + expected);
            }
            String problem = AddressGuard.domainProblem(host.toLowerCase(java.util.Locale.ROOT));
            if (problem != null && !problem.startsWith(RuleIds.ADDR_DOMAIN_UNQUALIFIED)
                    && !isIpv4(host)) {
                throw new IllegalArgumentException("'" + text + "' has an invalid host '" + host + "'" + expected);
            }
            host = host.toLowerCase(java.util.Locale.ROOT);
        }
        int port = 25;
        if (portText != null) {
            if (!portText.matches("[1-9][0-9]{0,4}") || Integer.parseInt(portText) > 65535) {
                throw new IllegalArgumentException("'" + text + "' has an invalid port '" + portText
                        + "', expected 1..65535");
            }
            port = Integer.parseInt(portText);
        }
        return new NextHop(host, port);
    }

    private static boolean isIpv4(String host) {
        try {
            return TrustedNetworks.parseAddress(host).getAddress().length == 4 && host.indexOf(':') < 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True when the next hop is found through MX lookup. */
    public boolean isMx() {
        return host == null;
    }

    /** The fixed host, empty for {@code mx}. */
    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    /** The port (25 for {@code mx}). */
    public int port() {
        return port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NextHop && Objects.equals(((NextHop) o).host, host) && ((NextHop) o).port == port;
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port);
    }

    @Override
    public String toString() {
        if (host == null) {
            return "mx";
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
