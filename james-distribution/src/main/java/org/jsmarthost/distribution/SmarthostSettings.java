package org.jsmarthost.distribution;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.jsmarthost.distribution.durable.ReaderMailQueueFactory;

/**
 * The SMARTHOST_* environment variables of the launcher, validated, with their defaults.
 *
 * <pre>
 * variable                    default          meaning
 * SMARTHOST_BIND              127.0.0.1        IPv4 address the SMTP and POP3 listeners bind to
 * SMARTHOST_SMTP_PORT         2525             MX-facing SMTP port (relay only from trusted networks)
 * SMARTHOST_SUBMISSION_PORT   2587             submission port (STARTTLS, AUTH required)
 * SMARTHOST_SMTPS_PORT        2465             SMTPS port (implicit TLS, AUTH required)
 * SMARTHOST_POP3_PORT         2110             POP3 port (SMTP-after-POP)
 * SMARTHOST_JMX_PORT          9999             JMX port on 127.0.0.1 (james-cli, smarthost-cli)
 * SMARTHOST_WEBADMIN_PORT     8000             WebAdmin port on 127.0.0.1
 * SMARTHOST_TRUSTED_NETWORKS  127.0.0.1/32     comma-separated CIDRs (IPv4 and IPv6) that may relay on the MX port
 * SMARTHOST_RELAYHOST         (empty)          host:port of an upstream relay; empty = deliver by MX lookup
 * SMARTHOST_HELO              the host name    name in the SMTP greeting and in HELO/EHLO when delivering
 * SMARTHOST_DELIVERY_DELAYS   5 * 1 minute, 4 * 15 minutes, 6 * 1 hour, 6 * 4 hours
 *                                              RemoteDelivery retry schedule (James delayTime syntax: comma-separated
 *                                              [count *] amount [unit], units ms, s/second(s), m/minute(s), h/hour(s),
 *                                              d/day(s)); at least 21 attempts: a shorter list repeats its last delay
 * SMARTHOST_STATE_BACKEND     memory           relay state (SMTP-after-POP logins, send quotas): memory, or
 *                                              redis://HOST:PORT[/DB] shared by several nodes
 * SMARTHOST_QUEUE_READERS     20               mails each durable queue (spool, outgoing) hands out at once, 1-256;
 *                                              keep it at least the spooler threads and RemoteDelivery deliveryThreads
 * </pre>
 *
 * Each value is exported as a system property ({@code smarthost.bind}, {@code smarthost.smtp.port}, ...)
 * that the files in {@code conf/} reference as {@code ${sys:smarthost.bind}}. A bad value stops the
 * launcher with a message naming the variable, the value and what was expected. Trusting every address
 * ({@code 0.0.0.0/0}, {@code ::/0}) is refused: it would make an open relay.
 */
final class SmarthostSettings {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern DELAY = Pattern.compile(
        "\\s*(?:(\\d{1,4})\\s*\\*\\s*)?(\\d{1,9})\\s*(ms|msec|msecs|s|sec|secs|second|seconds|m|min|mins|minute|minutes"
            + "|h|hour|hours|d|day|days)?\\s*");
    private static final Pattern HOSTNAME = Pattern.compile(
        "(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    /** One setting: environment variable, system property, default. */
    enum Key {
        BIND("SMARTHOST_BIND", "smarthost.bind", "127.0.0.1"),
        SMTP_PORT("SMARTHOST_SMTP_PORT", "smarthost.smtp.port", "2525"),
        SUBMISSION_PORT("SMARTHOST_SUBMISSION_PORT", "smarthost.submission.port", "2587"),
        SMTPS_PORT("SMARTHOST_SMTPS_PORT", "smarthost.smtps.port", "2465"),
        POP3_PORT("SMARTHOST_POP3_PORT", "smarthost.pop3.port", "2110"),
        JMX_PORT("SMARTHOST_JMX_PORT", "smarthost.jmx.port", "9999"),
        WEBADMIN_PORT("SMARTHOST_WEBADMIN_PORT", "smarthost.webadmin.port", "8000"),
        TRUSTED_NETWORKS("SMARTHOST_TRUSTED_NETWORKS", "smarthost.trusted.networks", "127.0.0.1/32"),
        RELAYHOST("SMARTHOST_RELAYHOST", "smarthost.relayhost", ""),
        HELO("SMARTHOST_HELO", "smarthost.helo", null),
        DELIVERY_DELAYS("SMARTHOST_DELIVERY_DELAYS", "smarthost.delivery.delays", "5 * 1 minute, 4 * 15 minutes, 6 * 1 hour, 6 * 4 hours"),
        STATE_BACKEND("SMARTHOST_STATE_BACKEND", "smarthost.state.backend", "memory"),
        QUEUE_READERS("SMARTHOST_QUEUE_READERS", ReaderMailQueueFactory.READERS_PROPERTY,
            String.valueOf(ReaderMailQueueFactory.DEFAULT_READERS));

        final String variable;
        final String property;
        final String defaultValue;

        Key(String variable, String property, String defaultValue) {
            this.variable = variable;
            this.property = property;
            this.defaultValue = defaultValue;
        }
    }

    private final Map<Key, String> values;

    private SmarthostSettings(Map<Key, String> values) {
        this.values = Map.copyOf(values);
    }

    String get(Key key) {
        return values.get(key);
    }

    int port(Key key) {
        return Integer.parseInt(values.get(key));
    }

    /**
     * @param env          the process environment
     * @param localHostName the default for SMARTHOST_HELO
     */
    static SmarthostSettings from(Map<String, String> env, String localHostName) {
        Map<Key, String> values = new LinkedHashMap<>();
        for (Key key : Key.values()) {
            String raw = env.get(key.variable);
            String value = raw == null ? (key == Key.HELO ? localHostName : key.defaultValue) : raw.trim();
            values.put(key, value);
        }
        List<String> errors = new ArrayList<>();
        checkIpv4(values.get(Key.BIND), Key.BIND, errors);
        for (Key port : List.of(Key.SMTP_PORT, Key.SUBMISSION_PORT, Key.SMTPS_PORT, Key.POP3_PORT, Key.JMX_PORT, Key.WEBADMIN_PORT)) {
            checkPort(values.get(port), port.variable, errors);
        }
        checkDistinctPorts(values, errors);
        values.put(Key.TRUSTED_NETWORKS, checkNetworks(values.get(Key.TRUSTED_NETWORKS), errors));
        checkRelayhost(values.get(Key.RELAYHOST), errors);
        if (!HOSTNAME.matcher(values.get(Key.HELO)).matches()) {
            errors.add(describe(Key.HELO.variable, values.get(Key.HELO), "a host name such as relay.example.com"));
        }
        checkDelays(values.get(Key.DELIVERY_DELAYS), errors);
        checkStateBackend(values.get(Key.STATE_BACKEND), errors);
        try {
            ReaderMailQueueFactory.checkReaders(values.get(Key.QUEUE_READERS), Key.QUEUE_READERS.variable);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        return new SmarthostSettings(values);
    }

    private static final Pattern STATE_BACKEND = Pattern.compile(
        "memory|redis://([^@/\\s]*@)?[A-Za-z0-9.-]+:\\d{1,5}(/\\d{1,2})?(\\?[A-Za-z0-9=&]*)?");

    private static void checkStateBackend(String value, List<String> errors) {
        if (!STATE_BACKEND.matcher(value).matches()) {
            errors.add(describe(Key.STATE_BACKEND.variable, value.replaceAll("//[^@/]*@", "//***@"),
                "'memory' or redis://HOST:PORT[/DB] (shared relay state of several nodes)"));
        }
    }

    static String localHostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return HOSTNAME.matcher(name).matches() ? name : "localhost";
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Exports every value as its system property, for ${sys:...} in conf/. */
    void exportAsSystemProperties() {
        for (Key key : Key.values()) {
            System.setProperty(key.property, values.get(key));
        }
    }

    private static String describe(String variable, String value, String expected) {
        return variable + "='" + value + "' is invalid: expected " + expected;
    }

    private static void checkIpv4(String value, Key key, List<String> errors) {
        if (!isIpv4(value)) {
            errors.add(describe(key.variable, value, "an IPv4 address such as 127.0.0.1 or 0.0.0.0"));
        }
    }

    private static boolean isIpv4(String value) {
        java.util.regex.Matcher matcher = IPV4.matcher(value);
        if (!matcher.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(matcher.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    private static void checkPort(String value, String variable, List<String> errors) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(describe(variable, value, "a port number 1-65535"));
    }

    private static void checkDistinctPorts(Map<Key, String> values, List<String> errors) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (Key port : List.of(Key.SMTP_PORT, Key.SUBMISSION_PORT, Key.SMTPS_PORT, Key.POP3_PORT, Key.JMX_PORT, Key.WEBADMIN_PORT)) {
            String previous = seen.putIfAbsent(values.get(port), port.variable);
            if (previous != null) {
                errors.add(port.variable + "=" + values.get(port) + " is already used by " + previous + ": every port must differ");
            }
        }
    }

    /** Validates and normalises the CIDR list (comma-separated, spaces allowed); returns it joined by ", ". */
    private static String checkNetworks(String value, List<String> errors) {
        List<String> networks = new ArrayList<>();
        for (String part : value.split(",")) {
            String network = part.trim();
            if (network.isEmpty()) {
                continue;
            }
            String problem = Cidr.problem(network);
            if (problem != null) {
                errors.add(describe(Key.TRUSTED_NETWORKS.variable, network, problem));
            } else {
                networks.add(network);
            }
        }
        if (networks.isEmpty() && errors.stream().noneMatch(e -> e.startsWith(Key.TRUSTED_NETWORKS.variable))) {
            errors.add(describe(Key.TRUSTED_NETWORKS.variable, value,
                "at least one network in CIDR form such as 127.0.0.1/32 or ::1/128 (the MX port would otherwise trust nobody "
                    + "by accident; to trust only this host use 127.0.0.1/32)"));
        }
        return String.join(", ", networks);
    }

    private static void checkDelays(String value, List<String> errors) {
        for (String delay : value.split(",", -1)) {
            if (!DELAY.matcher(delay).matches()) {
                errors.add(describe(Key.DELIVERY_DELAYS.variable, value, "comma-separated delays such as '5 * 1 minute, 4 * 15 minutes, "
                    + "6 * 1 hour' ('" + delay.trim() + "' is not [count *] amount [ms|s|m|h|d])"));
                return;
            }
        }
    }

    private static void checkRelayhost(String value, List<String> errors) {
        if (value.isEmpty()) {
            return;
        }
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? value : value.substring(0, colon);
        boolean hostOk = isIpv4(host) || HOSTNAME.matcher(host).matches();
        boolean portOk = true;
        if (colon >= 0) {
            List<String> portErrors = new ArrayList<>();
            checkPort(value.substring(colon + 1), Key.RELAYHOST.variable, portErrors);
            portOk = portErrors.isEmpty();
        }
        if (!hostOk || !portOk) {
            errors.add(describe(Key.RELAYHOST.variable, value, "host:port such as smtp.provider.example:587 or 127.0.0.1:10026"));
        }
    }

    /** CIDR syntax check (no DNS): IPv4 a.b.c.d/0-32 or IPv6/0-128; a bare address means a single host. */
    static final class Cidr {
        private Cidr() {
        }

        static String problem(String network) {
            String address = network;
            int prefix = -1;
            int slash = network.indexOf('/');
            if (slash >= 0) {
                address = network.substring(0, slash);
                try {
                    prefix = Integer.parseInt(network.substring(slash + 1));
                } catch (NumberFormatException e) {
                    return "a CIDR such as 192.0.2.0/24 or 2001:db8::/32 (the prefix length is not a number)";
                }
            }
            boolean ipv6 = address.contains(":");
            if (ipv6) {
                if (!address.matches("[0-9A-Fa-f:.]+")) {
                    return "a CIDR such as 2001:db8::/32 (not an IPv6 address)";
                }
                try {
                    InetAddress.getByName(address);
                } catch (UnknownHostException e) {
                    return "a CIDR such as 2001:db8::/32 (not an IPv6 address)";
                }
            } else if (!isIpv4(address)) {
                return "a CIDR such as 192.0.2.0/24 (not an IPv4 address; host names are not accepted)";
            }
            int max = ipv6 ? 128 : 32;
            if (prefix > max || (slash >= 0 && prefix < 0)) {
                return "a prefix length 1-" + max;
            }
            if (prefix == 0) {
                return "a network narrower than /0: trusting every address would make an open relay";
            }
            return null;
        }
    }
}
