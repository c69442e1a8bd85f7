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

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** relay check / pop-auth list / quota show|reset against a fake RelayPolicy MXBean over a real JMX connector. */
class RelayPolicyCommandsTest {
    public interface FakeRelayPolicyMXBean {
        String[] check(String client, String authLogin, boolean submission, String from, String to, String headerFrom);

        String[] popAuthList();

        String[] quotaShow(String subject);

        int quotaReset(String subject);
    }

    public static final class FakeRelayPolicy implements FakeRelayPolicyMXBean {
        final List<String> calls = new ArrayList<>();

        @Override
        public String[] check(String client, String authLogin, boolean submission, String from, String to, String headerFrom) {
            calls.add("check " + client + " auth=" + authLogin + " sub=" + submission + " " + from + " " + to + " hf=" + headerFrom);
            if (authLogin.isEmpty()) {
                return new String[] {"mail: allow 250 2.1.0 Sender ok [rule sender.ok]",
                    "rcpt: refuse 550 5.7.1 Relay access denied [rule outbound.relay-denied]", "verdict: NO RELAY"};
            }
            return new String[] {"rcpt: allow 250 2.1.5 ok [rule outbound.auth]", "verdict: RELAY by rule outbound.auth"};
        }

        @Override
        public String[] popAuthList() {
            return new String[] {"127.0.0.4 popper@corp.example 2026-11-28T10:00:00Z expires 2026-11-28T10:30:00Z"};
        }

        @Override
        public String[] quotaShow(String subject) {
            calls.add("show " + subject);
            return new String[] {"identity " + subject + ": messages 1/h"};
        }

        @Override
        public int quotaReset(String subject) {
            if (subject.equals("bad")) {
                throw new IllegalArgumentException("no such thing 'bad'");
            }
            return 4;
        }
    }

    @TempDir
    static Path home;
    private static JmxFixture jmx;
    private static int port;
    private static final FakeRelayPolicy FAKE = new FakeRelayPolicy();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void startJmx() throws Exception {
        jmx = JmxFixture.start(home);
        port = jmx.port;
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(RelayPolicyCommands.OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
        server.registerMBean(FAKE, name);
    }

    @AfterAll
    static void stopJmx() throws Exception {
        jmx.close();
        ManagementFactory.getPlatformMBeanServer().unregisterMBean(new ObjectName(RelayPolicyCommands.OBJECT_NAME));
    }

    private int run(String... args) {
        return SmarthostCli.run(args, Map.of("SMARTHOST_HOME", home.toString(), "SMARTHOST_JMX_PORT", String.valueOf(port)),
            Path.of("/"), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void relayCheckRefusedPrintsTheRuleAndExits5() {
        int status = run("relay", "check", "--client", "127.0.0.2", "--from", "a@corp.example", "--to", "v@remote.example");

        assertThat(status).isEqualTo(RelayPolicyCommands.EXIT_REFUSED);
        assertThat(out.toString()).contains("[rule outbound.relay-denied]").contains("verdict: NO RELAY");
        assertThat(err.toString()).contains("refused: rcpt: refuse 550 5.7.1");
        assertThat(FAKE.calls).contains("check 127.0.0.2 auth= sub=false a@corp.example v@remote.example hf=");
    }

    @Test
    void relayCheckWithAuthSubmissionAndHeaderFromPassesEverything() {
        int status = run("relay", "check", "--client", "::1", "--auth", "alice@corp.example", "--submission",
            "--from", "alice@corp.example", "--to", "v@remote.example", "--header-from", "Alice <alice@corp.example>");

        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString()).contains("verdict: RELAY by rule outbound.auth");
        assertThat(FAKE.calls).contains("check ::1 auth=alice@corp.example sub=true alice@corp.example v@remote.example"
            + " hf=Alice <alice@corp.example>");
    }

    @Test
    void relayCheckUsageErrors() {
        assertThat(run("relay", "check", "--client", "127.0.0.2", "--to", "v@remote.example")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--from is required");
        assertThat(run("relay", "check", "--client")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--client needs a value");
        assertThat(run("relay", "check", "--bogus", "x")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("unknown option '--bogus'");
        assertThat(run("relay", "explain")).isEqualTo(SmarthostCli.EXIT_USAGE);
    }

    @Test
    void popAuthListPrintsTheEntries() {
        assertThat(run("pop-auth", "list")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("1 SMTP-after-POP login(s)").contains("127.0.0.4 popper@corp.example");
    }

    @Test
    void quotaShowAndReset() {
        assertThat(run("quota", "show", "alice@corp.example")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("identity alice@corp.example: messages 1/h");
        assertThat(run("quota", "reset", "alice@corp.example")).isZero();
        assertThat(out.toString()).contains("reset alice@corp.example: 4 counter(s) deleted");
        assertThat(run("quota", "show")).isZero();
        assertThat(FAKE.calls).contains("show ");
    }

    @Test
    void quotaErrorsFromTheServerAreUsageErrorsWithItsMessage() {
        assertThat(run("quota", "reset", "bad")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("no such thing 'bad'");
        assertThat(run("quota", "reset")).isEqualTo(SmarthostCli.EXIT_USAGE);
    }
}
