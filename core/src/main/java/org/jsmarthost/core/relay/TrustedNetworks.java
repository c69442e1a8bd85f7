package org.jsmarthost.core.relay;

import com.google.common.net.InetAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An immutable list of IPv4 and IPv6 networks in CIDR notation, e.g. {@code 192.0.2.0/24, 2001:db8::/32}.
 *
 * <p>Format of one entry: {@code a.b.c.d/n} (n = 0..32) or {@code ipv6/n} (n = 0..128); an address without
 * {@code /n} is a single host ({@code /32} or {@code /128}). Parsing is strict and never uses DNS: host names,
 * IPv4 octets with leading zeros ({@code 010.0.0.1}, ambiguous octal), zone ids ({@code fe80::1%eth0}),
 * prefixes out of range and networks with host bits set ({@code 10.0.0.1/8}: write {@code 10.0.0.0/8}) are
 * refused with a message naming the key and the value. IPv4-mapped IPv6 ({@code ::ffff:192.0.2.0/120}) is
 * stored as the IPv4 network it denotes ({@code 192.0.2.0/24}), and a client address that arrives IPv4-mapped
 * ({@code ::ffff:192.0.2.7}) is matched as the IPv4 address, so both spellings behave the same.</p>
 *
 * <p>{@code 0.0.0.0/0} and {@code ::/0} are refused: trusting the whole internet is an open relay.</p>
 */
public final class TrustedNetworks {
    private static final Pattern IPV4 = Pattern.compile(
            "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern PREFIX = Pattern.compile("0|[1-9][0-9]{0,2}");
    private static final TrustedNetworks NONE = new TrustedNetworks(List.of());

    private final List<Cidr> networks;

    private TrustedNetworks(List<Cidr> networks) {
        this.networks = Collections.unmodifiableList(new ArrayList<>(networks));
    }

    /** No trusted network at all. */
    public static TrustedNetworks none() {
        return NONE;
    }

    /**
     * Parses CIDR entries.
     *
     * @param key the configuration key (or parameter) the values came from, used in error messages
     * @throws IllegalArgumentException naming the key, the bad value and what was expected
     */
    public static TrustedNetworks parse(String key, Collection<String> entries) {
        try {
            return parse(entries);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key '" + key + "': " + e.getMessage(), e);
        }
    }

    /** As {@link #parse(String, Collection)}, the message without the key (the caller names it). */
    static TrustedNetworks parse(Collection<String> entries) {
        Set<Cidr> seen = new LinkedHashSet<>();
        for (String entry : entries) {
            Cidr cidr = Cidr.parse(entry);
            if (!seen.add(cidr)) {
                throw new IllegalArgumentException("'" + entry + "' is listed twice (as " + cidr + ")");
            }
        }
        return new TrustedNetworks(new ArrayList<>(seen));
    }

    /** True when {@code client} is inside one of the networks (IPv4-mapped IPv6 is matched as IPv4). */
    public boolean contains(InetAddress client) {
        if (client == null) {
            return false;
        }
        byte[] address = normalise(client);
        for (Cidr cidr : networks) {
            if (cidr.matches(address)) {
                return true;
            }
        }
        return false;
    }

    /** The networks, in file order. */
    public List<Cidr> networks() {
        return networks;
    }

    /**
     * Parses a client IP literal (as an SMTP server reports it) without DNS.
     *
     * @throws IllegalArgumentException when {@code text} is not an IPv4 or IPv6 literal
     */
    public static InetAddress parseAddress(String text) {
        return InetAddresses.forString(literalCheck(text));
    }

    /** Canonical text of a client address: IPv4-mapped IPv6 becomes dotted IPv4; IPv6 in RFC 5952 form. */
    public static String addressText(InetAddress address) {
        return InetAddresses.toAddrString(toInet(normalise(address)));
    }

    static byte[] normalise(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address && isMapped(b)) {
            return Arrays.copyOfRange(b, 12, 16);
        }
        return b;
    }

    private static InetAddress toInet(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isMapped(byte[] b) {
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    private static String literalCheck(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty address, expected an IPv4 or IPv6 literal");
        }
        boolean ok = text.indexOf(':') >= 0 ? IPV6_CHARS.matcher(text).matches() && InetAddresses.isInetAddress(text)
                : IPV4.matcher(text).matches();
        if (!ok) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address literal, expected a.b.c.d or"
                    + " an IPv6 address (no host names, no leading zeros, no zone id)");
        }
        return text;
    }

    @Override
    public String toString() {
        return networks.toString();
    }

    /** One network: address bytes (4 or 16) and prefix length. */
    public static final class Cidr {
        private final byte[] network;
        private final int prefix;

        private Cidr(byte[] network, int prefix) {
            this.network = network;
            this.prefix = prefix;
        }

        /**
         * Parses {@code a.b.c.d/n}, {@code ipv6/n} or a bare address.
         *
         * @throws IllegalArgumentException naming the value and what was expected
         */
        public static Cidr parse(String text) {
            String expected = ", expected a.b.c.d/n or ipv6/n";
            if (text == null || text.isEmpty()) {
                throw new IllegalArgumentException("empty value is not a valid CIDR" + expected);
            }
            int slash = text.indexOf('/');
            String addressPart = slash < 0 ? text : text.substring(0, slash);
            byte[] bytes;
            try {
                bytes = InetAddresses.forString(literalCheck(addressPart)).getAddress();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text + "' is not a valid CIDR" + expected
                        + " (no host names, no leading zeros, no zone id)", e);
            }
            boolean mappedSpelling = addressPart.indexOf(':') >= 0 && bytes.length == 4;
            int max = mappedSpelling ? 128 : bytes.length * 8;
            int prefix = max;
            if (slash >= 0) {
                String p = text.substring(slash + 1);
                if (!PREFIX.matcher(p).matches() || Integer.parseInt(p) > max) {
                    throw new IllegalArgumentException("'" + text + "' has an invalid prefix length '" + p
                            + "', expected 0.." + max);
                }
                prefix = Integer.parseInt(p);
            }
            if (mappedSpelling) {
                if (prefix < 96) {
                    throw new IllegalArgumentException("'" + text + "' is an IPv4-mapped network with prefix "
                            + prefix + ", expected a prefix of 96..128");
                }
                prefix -= 96;
            }
            if (prefix == 0) {
                throw new IllegalArgumentException("'" + text + "' would trust every address (open relay)"
                        + expected + " with n > 0");
            }
            for (int bit = prefix; bit < bytes.length * 8; bit++) {
                if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0) {
                    byte[] masked = bytes.clone();
                    for (int b = prefix; b < masked.length * 8; b++) {
                        masked[b / 8] &= (byte) ~(0x80 >> (b % 8));
                    }
                    throw new IllegalArgumentException("'" + text + "' has host bits set, expected the network"
                            + " address " + new Cidr(masked, prefix));
                }
            }
            return new Cidr(bytes, prefix);
        }

        boolean matches(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }

        /** Prefix length in bits. */
        public int prefix() {
            return prefix;
        }

        /** True for an IPv6 network. */
        public boolean isIpv6() {
            return network.length == 16;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr && ((Cidr) o).prefix == prefix && Arrays.equals(((Cidr) o).network, network);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(network) * 31 + prefix;
        }

        @Override
        public String toString() {
            return InetAddresses.toAddrString(toInet(network)) + "/" + prefix;
        }
    }
}
