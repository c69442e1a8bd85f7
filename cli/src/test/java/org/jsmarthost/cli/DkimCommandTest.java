package org.jsmarthost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** smarthost-cli dkim against a fake org.jsmarthost:type=Dkim MXBean over a real JMX connector on 127.0.0.1. */
class DkimCommandTest {
    public interface FakeDkimMXBean {
        String reload();

        List<String> list();

        List<String> keygen(String domain, String selector, String algorithm, int bits, boolean register);

        List<String> checkDns(String domain, String resolver);
    }

    public static final class FakeDkim implements FakeDkimMXBean {
        final List<String> calls = new ArrayList<>();

        @Override
        public String reload() {
            calls.add("reload");
            return "reloaded 2 keys";
        }

        @Override
        public List<String> list() {
            calls.add("list");
            return List.of("keys:", "  example.com s1 rsa-sha256 ex DNS s1._domainkey.example.com");
        }

        @Override
        public List<String> keygen(String domain, String selector, String algorithm, int bits, boolean register) {
            calls.add("keygen " + domain + " " + selector + " " + algorithm + " " + bits + " " + register);
            if (selector.equals("taken")) {
                throw new IllegalArgumentException("selector 'taken' of " + domain + " is already used");
            }
            return List.of("wrote key", "  s1._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=MIIB\" )");
        }

        @Override
        public List<String> checkDns(String domain, String resolver) {
            calls.add("checkDns " + domain + " " + resolver);
            return domain.equals("good.example") ? List.of("OK       s1._domainkey.good.example")
                : List.of("OK       s1._domainkey.bad.example", "MISMATCH e1._domainkey.bad.example: differs", "         expected: x");
        }
    }

    @TempDir
    static Path home;
    private static JmxFixture jmx;
    private static int port;
    private static final FakeDkim FAKE = new FakeDkim();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void startJmx() throws Exception {
        jmx = JmxFixture.start(home);
        port = jmx.port;
    }

    @AfterAll
    static void stopJmx() throws Exception {
        jmx.close();
    }

    @AfterEach
    void unregister() throws Exception {
        ObjectName name = new ObjectName(DkimCommand.OBJECT_NAME);
        if (ManagementFactory.getPlatformMBeanServer().isRegistered(name)) {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        }
        FAKE.calls.clear();
    }

    private int run(String... args) throws Exception {
        ObjectName name = new ObjectName(DkimCommand.OBJECT_NAME);
        if (!ManagementFactory.getPlatformMBeanServer().isRegistered(name)) {
            ManagementFactory.getPlatformMBeanServer().registerMBean(FAKE, name);
        }
        List<String> all = new ArrayList<>(List.of("-p", String.valueOf(port)));
        all.addAll(List.of(args));
        return SmarthostCli.run(all.toArray(String[]::new), Map.of("SMARTHOST_HOME", home.toString()), Path.of("/"),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void keygenPassesTheOptionsAndPrintsTheRecord() throws Exception {
        assertThat(run("dkim", "keygen", "--domain", "example.com", "--selector", "s1", "--algorithm", "rsa", "--bits", "3072"))
            .as(err.toString()).isZero();
        assertThat(FAKE.calls).containsExactly("keygen example.com s1 rsa 3072 true");
        assertThat(out.toString()).contains("s1._domainkey.example.com. IN TXT");
    }

    @Test
    void keygenEd25519NoRegister() throws Exception {
        assertThat(run("dkim", "keygen", "--domain", "example.com", "--selector", "e1", "--algorithm", "ed25519", "--no-register"))
            .as(err.toString()).isZero();
        assertThat(FAKE.calls).containsExactly("keygen example.com e1 ed25519 0 false");
    }

    @Test
    void keygenServerSideErrorIsShownWithExitOne() throws Exception {
        assertThat(run("dkim", "keygen", "--domain", "example.com", "--selector", "taken", "--algorithm", "rsa")).isEqualTo(1);
        assertThat(err.toString()).contains("dkim keygen: selector 'taken' of example.com is already used");
    }

    @Test
    void keygenUsageErrors() throws Exception {
        assertThat(run("dkim", "keygen", "--domain", "example.com", "--selector", "s1")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("dkim keygen needs --algorithm");
        assertThat(run("dkim", "keygen", "--domain", "d", "--selector", "s", "--algorithm", "dsa")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--algorithm 'dsa' is not valid, expected rsa or ed25519");
        assertThat(run("dkim", "keygen", "--domain", "d", "--selector", "s", "--algorithm", "ed25519", "--bits", "2048"))
            .isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--bits applies to RSA keys only");
        assertThat(run("dkim", "keygen", "--domain", "d", "--selector", "s", "--algorithm", "rsa", "--bits", "many"))
            .isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--bits 'many' is not a number");
        assertThat(run("dkim", "keygen", "--domian", "d")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("unknown option '--domian'");
        assertThat(run("dkim", "frob")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("unknown dkim subcommand 'frob'");
        assertThat(run("dkim")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(FAKE.calls).isEmpty();
    }

    @Test
    void listAndReload() throws Exception {
        assertThat(run("dkim", "list")).isZero();
        assertThat(run("dkim", "reload")).isZero();
        assertThat(out.toString()).contains("s1._domainkey.example.com").contains("reloaded 2 keys");
        assertThat(run("dkim", "list", "extra")).isEqualTo(SmarthostCli.EXIT_USAGE);
    }

    @Test
    void checkDnsExitsWithOneOnAMismatchAndPassesTheResolver() throws Exception {
        assertThat(run("dkim", "check-dns", "good.example", "--resolver", "127.0.0.1:5353")).isZero();
        assertThat(run("dkim", "check-dns", "bad.example")).isEqualTo(1);
        assertThat(FAKE.calls).containsExactly("checkDns good.example 127.0.0.1:5353", "checkDns bad.example ");
        assertThat(out.toString()).contains("MISMATCH e1._domainkey.bad.example");
        assertThat(err.toString()).contains("do not all match");
        assertThat(run("dkim", "check-dns")).isEqualTo(SmarthostCli.EXIT_USAGE);
    }

    @Test
    void serverWithoutSignDkimSaysSo() throws Exception {
        int status = SmarthostCli.run(new String[] {"-p", String.valueOf(port), "dkim", "list"}, Map.of("SMARTHOST_HOME", home.toString()),
            Path.of("/"), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(SmarthostCli.EXIT_NOT_LOADED);
        assertThat(err.toString()).contains("DKIM signing is not active");
    }
}
