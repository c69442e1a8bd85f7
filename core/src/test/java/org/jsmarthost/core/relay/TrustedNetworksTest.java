package org.jsmarthost.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TrustedNetworksTest {
    private static final TrustedNetworks NETS = TrustedNetworks.parse("trusted_networks",
            List.of("127.0.0.0/8", "192.0.2.0/24", "198.51.100.7", "10.1.2.128/25", "2001:db8:100::/48", "::1/128",
                "::ffff:203.0.113.0/120", "fc00::/7"));

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.255.255.254", "192.0.2.0", "192.0.2.255", "198.51.100.7", "10.1.2.128",
        "10.1.2.255", "2001:db8:100::1", "2001:db8:100:ffff:ffff:ffff:ffff:ffff", "::1", "203.0.113.9",
        "::ffff:192.0.2.77", "::ffff:127.0.0.1", "fd12:3456::1", "fc00::1"})
    void contains(String address) {
        assertThat(NETS.contains(TrustedNetworks.parseAddress(address))).as(address).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"128.0.0.1", "192.0.3.1", "198.51.100.8", "10.1.2.127", "2001:db8:101::1", "::2",
        "203.0.114.1", "::ffff:192.0.3.1", "fe80::1", "::", "0.0.0.0", "::127.0.0.1"})
    void doesNotContain(String address) {
        assertThat(NETS.contains(TrustedNetworks.parseAddress(address))).as(address).isFalse();
    }

    @Test
    void mappedClientAddressBuiltAsInet6MatchesIpv4Network() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 5};
        InetAddress a = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(a).isInstanceOf(Inet6Address.class);
        assertThat(NETS.contains(a)).isTrue();
        assertThat(TrustedNetworks.addressText(a)).isEqualTo("192.0.2.5");
    }

    @Test
    void mappedNetworkIsStoredAsIpv4() {
        assertThat(NETS.networks().get(6).toString()).isEqualTo("203.0.113.0/24");
        assertThat(NETS.networks().get(6).isIpv6()).isFalse();
        assertThat(TrustedNetworks.Cidr.parse("2001:DB8::/32").toString()).isEqualTo("2001:db8::/32");
    }

    @Test
    void emptyAndNullNeverMatch() {
        assertThat(TrustedNetworks.none().contains(TrustedNetworks.parseAddress("127.0.0.1"))).isFalse();
        assertThat(NETS.contains(null)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "xyz|'xyz' is not a valid CIDR, expected a.b.c.d/n or ipv6/n",
        "localhost|'localhost' is not a valid CIDR",
        "192.0.2.0/33|invalid prefix length '33', expected 0..32",
        "2001:db8::/129|invalid prefix length '129', expected 0..128",
        "192.0.2.0/|invalid prefix length ''",
        "192.0.2.0/08|invalid prefix length '08'",
        "192.0.2.0/-1|invalid prefix length '-1'",
        "192.0.2.1/24|has host bits set, expected the network address 192.0.2.0/24",
        "2001:db8::1/32|has host bits set, expected the network address 2001:db8::/32",
        "010.0.0.0/8|'010.0.0.0/8' is not a valid CIDR",
        "192.0.2|'192.0.2' is not a valid CIDR",
        "192.0.2.256|'192.0.2.256' is not a valid CIDR",
        "fe80::1%eth0/128|'fe80::1%eth0/128' is not a valid CIDR",
        "0.0.0.0/0|would trust every address (open relay)",
        "::/0|would trust every address (open relay)",
        "::ffff:0.0.0.0/96|would trust every address (open relay)",
        "::ffff:192.0.2.0/64|IPv4-mapped network with prefix 64, expected a prefix of 96..128",
        "192.0.2.0/24/1|invalid prefix length '24/1'",
        "' 192.0.2.0/24'|is not a valid CIDR",
    })
    void refusesBadCidrNamingKeyAndValue(String value, String expected) {
        assertThatThrownBy(() -> TrustedNetworks.parse("trusted_networks", List.of(value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key 'trusted_networks': ")
                .hasMessageContaining(expected);
    }

    @Test
    void refusesDuplicates() {
        assertThatThrownBy(() -> TrustedNetworks.parse("k", List.of("192.0.2.0/24", "::ffff:192.0.2.0/120")))
                .hasMessageContaining("'::ffff:192.0.2.0/120' is listed twice (as 192.0.2.0/24)");
    }

    @Test
    void parseAddressNeverResolvesNames() {
        assertThatThrownBy(() -> TrustedNetworks.parseAddress("localhost")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an IP address literal");
        assertThatThrownBy(() -> TrustedNetworks.parseAddress("example.org"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
