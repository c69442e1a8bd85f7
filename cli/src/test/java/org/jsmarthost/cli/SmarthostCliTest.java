package org.jsmarthost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the CLI against a real JMX connector server with password authentication on 127.0.0.1. */
class SmarthostCliTest {
    public interface FakePackMXBean {
        String getName();

        String getVersion();

        String getStartedAt();

        long getUptimeSeconds();

        List<String> getComponents();
    }

    public static final class FakePack implements FakePackMXBean {
        @Override
        public String getName() {
            return "james-smarthost";
        }

        @Override
        public String getVersion() {
            return "9.9.9";
        }

        @Override
        public String getStartedAt() {
            return "2026-11-28T10:00:00Z";
        }

        @Override
        public long getUptimeSeconds() {
            return 3725;
        }

        @Override
        public List<String> getComponents() {
            return List.of("startable PackStartup org.jsmarthost.mailets.PackStartup");
        }
    }

    @TempDir
    static Path home;
    private static JmxFixture jmx;
    private static int port;

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
        unregisterPack();
    }

    private static void registerPack() throws Exception {
        unregisterPack();
        ManagementFactory.getPlatformMBeanServer().registerMBean(new FakePack(), new ObjectName(StatusCommand.OBJECT_NAME));
    }

    private static void unregisterPack() throws Exception {
        ObjectName name = new ObjectName(StatusCommand.OBJECT_NAME);
        if (ManagementFactory.getPlatformMBeanServer().isRegistered(name)) {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        }
    }

    private int run(Map<String, String> env, Path cwd, String... args) {
        return SmarthostCli.run(args, env, cwd, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void statusPrintsThePackWithCredentialsFromTheServerHome() throws Exception {
        registerPack();
        int status = run(Map.of("SMARTHOST_HOME", home.toString(), "SMARTHOST_JMX_PORT", String.valueOf(port)),
            Path.of("/"), "status");

        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString()).contains("james-smarthost 9.9.9")
            .contains("uptime:     01h 02m 05s")
            .contains("components: 1")
            .contains("startable PackStartup org.jsmarthost.mailets.PackStartup");
    }

    @Test
    void credentialsAreFoundInConfOfTheWorkingDirectory() throws Exception {
        registerPack();
        int status = run(Map.of(), home, "-p", String.valueOf(port), "status");

        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString()).contains("james-smarthost 9.9.9");
    }

    @Test
    void wrongPasswordIsAnAuthenticationFailure() {
        int status = run(Map.of(), Path.of("/"), "-p", String.valueOf(port), "-username", "james-admin", "-password", "wrong", "status");

        assertThat(status).isEqualTo(SmarthostCli.EXIT_AUTH);
        assertThat(err.toString()).contains("authentication failed at 127.0.0.1:" + port);
    }

    @Test
    void missingCredentialsAreNamed() {
        int status = run(Map.of(), Path.of("/"), "-p", String.valueOf(port), "status");

        assertThat(status).isEqualTo(SmarthostCli.EXIT_AUTH);
        assertThat(err.toString()).contains("requires JMX credentials and none were found");
    }

    @Test
    void serverWithoutThePackSaysSo() throws Exception {
        unregisterPack();
        int status = run(Map.of("SMARTHOST_HOME", home.toString()), Path.of("/"), "-p", String.valueOf(port), "status");

        assertThat(status).isEqualTo(SmarthostCli.EXIT_NOT_LOADED);
        assertThat(err.toString()).contains("the pack is not loaded");
    }

    @Test
    void serverDownIsAClearFailure() throws Exception {
        // below the ephemeral range: no outgoing connection can take it meanwhile, nor connect to itself on it
        int closedPort = FreePorts.freePort();
        int status = run(Map.of("SMARTHOST_HOME", home.toString()), Path.of("/"), "-p", String.valueOf(closedPort), "status");

        assertThat(status).isEqualTo(SmarthostCli.EXIT_FAILURE);
        assertThat(err.toString()).contains("cannot connect to the smarthost's JMX port 127.0.0.1:" + closedPort)
            .contains("is the server running?");
    }

    @Test
    void badPortAndUnknownCommandAreUsageErrors() {
        assertThat(run(Map.of(), home, "-p", "99999", "status")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("port '99999' (-p) is not a port number, expected 1-65535");
        assertThat(run(Map.of(), home, "frobnicate")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("unknown command 'frobnicate'");
        assertThat(run(Map.of("SMARTHOST_JMX_PORT", "abc"), home, "status")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("port 'abc' (SMARTHOST_JMX_PORT)");
    }
}
