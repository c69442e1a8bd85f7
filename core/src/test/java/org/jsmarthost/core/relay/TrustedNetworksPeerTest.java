package org.jsmarthost.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-checks CIDR matching against an independent implementation: Python's {@code ipaddress} module
 * (Debian package {@code python3}). Skipped when {@code python3} is not installed.
 */
class TrustedNetworksPeerTest {
    private static final String PY = String.join("\n",
            "import ipaddress, sys",
            "for line in open(sys.argv[1]):",
            "    net, addr = line.split()",
            "    n = ipaddress.ip_network(net, strict=True)",
            "    a = ipaddress.ip_address(addr)",
            "    if a.version == 6 and a.ipv4_mapped is not None:",
            "        a = a.ipv4_mapped",
            "    print('1' if (a.version == n.version and a in n) else '0')",
            "");

    @Test
    void matchesAgreeWithPythonIpaddress(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(python3Available(), "python3 not installed");
        Random random = new Random(20261128L);
        List<String> cidrs = new ArrayList<>();
        List<InetAddress> addresses = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            boolean v6 = random.nextBoolean();
            byte[] net = new byte[v6 ? 16 : 4];
            random.nextBytes(net);
            int prefix = 1 + random.nextInt(net.length * 8);
            for (int b = prefix; b < net.length * 8; b++) {
                net[b / 8] &= (byte) ~(0x80 >> (b % 8));
            }
            String cidr = text(net) + "/" + prefix;
            byte[] addr = net.clone();
            // half the time: same network with random host bits (inside); otherwise flip one random bit
            for (int b = prefix; b < addr.length * 8; b++) {
                if (random.nextBoolean()) {
                    addr[b / 8] ^= (byte) (0x80 >> (b % 8));
                }
            }
            if (random.nextBoolean()) {
                int bit = random.nextInt(addr.length * 8);
                addr[bit / 8] ^= (byte) (0x80 >> (bit % 8));
            }
            String addrText = text(addr);
            if (!v6 && random.nextInt(4) == 0) {
                addrText = "::ffff:" + addrText;
            }
            TrustedNetworks.Cidr parsed = TrustedNetworks.Cidr.parse(cidr);
            assertThat(parsed.toString()).isEqualTo(cidr);
            cidrs.add(cidr);
            addresses.add(TrustedNetworks.parseAddress(addrText));
            lines.add(cidr + " " + addrText);
        }
        Path in = dir.resolve("cases.txt");
        Path script = dir.resolve("peer.py");
        Files.write(in, lines, StandardCharsets.US_ASCII);
        Files.writeString(script, PY);
        Process p = new ProcessBuilder("python3", script.toString(), in.toString()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        List<String> answers = List.of(new String(out, StandardCharsets.US_ASCII).trim().split("\n"));
        assertThat(p.exitValue()).as(String.join("\n", answers)).isZero();
        assertThat(answers).hasSize(lines.size());
        int inside = 0;
        for (int i = 0; i < lines.size(); i++) {
            boolean ours = TrustedNetworks.parse("k", List.of(cidrs.get(i))).contains(addresses.get(i));
            assertThat(ours ? "1" : "0").as(lines.get(i)).isEqualTo(answers.get(i));
            inside += ours ? 1 : 0;
        }
        assertThat(inside).as("both outcomes exercised").isBetween(300, 2700);
    }

    private static String text(byte[] b) throws UnknownHostException {
        return TrustedNetworks.addressText(InetAddress.getByAddress(b));
    }

    private static boolean python3Available() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import ipaddress").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
