package org.jsmarthost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rewrite and srs commands against a real JMX connector server with a fake Rewrite MXBean. */
class RewriteSrsCliTest {
    public interface FakeRewriteMXBean {
        List<String> testRewrite(String from, String to, String direction);

        Forward srsForward(String address);

        Reverse srsReverse(String address);
    }

    public static final class Forward {
        private final String outcome;
        private final String address;

        public Forward(String outcome, String address) {
            this.outcome = outcome;
            this.address = address;
        }

        public String getOutcome() {
            return outcome;
        }

        public String getAddress() {
            return address;
        }
    }

    public static final class Reverse {
        private final String status;
        private final String address;
        private final String detail;

        public Reverse(String status, String address, String detail) {
            this.status = status;
            this.address = address;
            this.detail = detail;
        }

        public String getStatus() {
            return status;
        }

        public String getAddress() {
            return address;
        }

        public String getDetail() {
            return detail;
        }
    }

    public static final class FakeRewrite implements FakeRewriteMXBean {
        volatile String lastCall;

        @Override
        public List<String> testRewrite(String from, String to, String direction) {
            lastCall = "testRewrite(" + from + "," + to + "," + direction + ")";
            return List.of("table: conf/rewrite.table (1 rules)", "direction: " + direction,
                "envelope-sender     " + from + " -> x@new.example  (rule rename)");
        }

        @Override
        public Forward srsForward(String address) {
            if (address.equals("boom@x.example")) {
                throw new IllegalStateException("no SrsForward mailet is loaded: SRS is off");
            }
            return new Forward("REWRITTEN_SRS0", "SRS0=abcd=AB=outside.example=alice@srs.example");
        }

        @Override
        public Reverse srsReverse(String address) {
            if (address.startsWith("SRS0=abcd")) {
                return new Reverse("OK", "alice@outside.example", "valid");
            }
            return new Reverse("BAD_HASH", "", "hash 'AAAA' does not match any secret");
        }
    }

    @TempDir
    static Path home;
    private static JmxFixture jmx;
    private static int port;
    private static final FakeRewrite FAKE = new FakeRewrite();

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
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(RewriteMBeanCalls.OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
    }

    private static void register() throws Exception {
        ManagementFactory.getPlatformMBeanServer().registerMBean(FAKE, new ObjectName(RewriteMBeanCalls.OBJECT_NAME));
    }

    private int run(String... args) {
        return SmarthostCli.run(args, Map.of("SMARTHOST_HOME", home.toString(), "SMARTHOST_JMX_PORT", String.valueOf(port)),
            Path.of("/"), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void rewriteTestPrintsTheServersAnswerWithDirectionOutByDefault() throws Exception {
        register();
        int status = run("rewrite", "test", "--from", "joerg@old.example", "--to", "bob@remote.example");

        assertThat(status).as(err.toString()).isZero();
        assertThat(FAKE.lastCall).isEqualTo("testRewrite(joerg@old.example,bob@remote.example,out)");
        assertThat(out.toString()).contains("direction: out")
            .contains("envelope-sender     joerg@old.example -> x@new.example  (rule rename)");
    }

    @Test
    void rewriteTestPassesTheDirection() throws Exception {
        register();
        assertThat(run("rewrite", "test", "--to", "bob@old.example", "--direction", "in")).isZero();
        assertThat(FAKE.lastCall).isEqualTo("testRewrite(,bob@old.example,in)");
    }

    @Test
    void rewriteUsageErrors() {
        assertThat(run("rewrite")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("expected 'rewrite test --from ADDR --to ADDR [--direction out|in]'");
        assertThat(run("rewrite", "test", "--direction", "sideways", "--from", "a@b.c")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--direction 'sideways' is not valid, expected out or in");
        assertThat(run("rewrite", "test", "--form", "a@b.c")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("unknown option '--form'");
        assertThat(run("rewrite", "test", "--from")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("option '--from' needs a value");
        assertThat(run("rewrite", "test")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("needs --from ADDR and/or --to ADDR");
    }

    @Test
    void srsForwardPrintsTheAddressAndOutcome() throws Exception {
        register();
        assertThat(run("srs", "forward", "alice@outside.example")).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo("SRS0=abcd=AB=outside.example=alice@srs.example\noutcome: REWRITTEN_SRS0\n");
    }

    @Test
    void srsReverseOfAValidAddressPrintsTheOriginal() throws Exception {
        register();
        assertThat(run("srs", "reverse", "SRS0=abcd=AB=outside.example=alice@srs.example")).isZero();
        assertThat(out.toString()).startsWith("alice@outside.example\n");
    }

    @Test
    void srsReverseOfAnInvalidAddressFailsWithTheReason() throws Exception {
        register();
        assertThat(run("srs", "reverse", "SRS0=AAAA=AB=outside.example=alice@srs.example")).isEqualTo(SmarthostCli.EXIT_FAILURE);
        assertThat(err.toString()).contains("not a valid SRS address: BAD_HASH: hash 'AAAA' does not match any secret");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aServerSideErrorIsShownWithItsMessage() throws Exception {
        register();
        assertThat(run("srs", "forward", "boom@x.example")).isEqualTo(SmarthostCli.EXIT_FAILURE);
        assertThat(err.toString()).contains("no SrsForward mailet is loaded: SRS is off");
    }

    @Test
    void withoutTheMBeanTheCommandsSayRewritingIsNotLoaded() {
        assertThat(run("srs", "reverse", "x@y.example")).isEqualTo(SmarthostCli.EXIT_NOT_LOADED);
        assertThat(err.toString()).contains("no MBean org.jsmarthost:type=Rewrite");
    }

    @Test
    void srsUsageErrors() {
        assertThat(run("srs", "forward")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(run("srs", "check", "a@b.c")).isEqualTo(SmarthostCli.EXIT_USAGE);
        assertThat(err.toString()).contains("expected 'srs forward ADDR' or 'srs reverse ADDR'");
    }
}
