package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.jsmarthost.it.SmarthostServer.CliResult;
import org.jsmarthost.it.SmtpClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Scale-out: two smarthost nodes (two distributions, two homes, two JVMs) share their relay state through one
 * real redis-server (Debian package redis-server) on 127.0.0.1, selected with SMARTHOST_STATE_BACKEND. A send
 * quota is hit across both nodes, and a POP3 login on one node opens SMTP-after-POP relaying on the other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisTwoNodesIT {
    private static final Duration DELIVERY = Duration.ofSeconds(90);

    private Process redis;
    private SmtpSink sink;
    private SmarthostServer nodeA;
    private SmarthostServer nodeB;

    @BeforeAll
    void start() throws Exception {
        int redisPort = SmarthostServer.freePort();
        redis = startRedis(redisPort);
        sink = SmtpSink.start();
        String policy = "trusted_networks = ${sys:smarthost.trusted.networks}\n"
            + "pop_window = 30m\n"
            + "quota_identity alice@corp.example = messages_per_hour=3\n";
        Map<String, String> env = Map.of(
            "SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port(),
            "SMARTHOST_STATE_BACKEND", "redis://127.0.0.1:" + redisPort + "/3");
        nodeA = SmarthostServer.create("redis-node-a", env);
        nodeB = SmarthostServer.create("redis-node-b", env);
        for (SmarthostServer node : List.of(nodeA, nodeB)) {
            Path conf = Files.createDirectories(node.home.resolve("conf"));
            Files.writeString(conf.resolve("smarthost-policy.conf"), policy);
            node.start();
            cli(node, "AddDomain", "corp.example");
            cli(node, "AddUser", "alice@corp.example", "secret");
            cli(node, "AddUser", "popper@corp.example", "secret");
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (SmarthostServer node : new SmarthostServer[] {nodeA, nodeB}) {
            if (node != null) {
                node.stop();
            }
        }
        if (sink != null) {
            sink.close();
        }
        if (redis != null) {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void cli(SmarthostServer node, String... args) throws Exception {
        CliResult result = node.jamesCli(args);
        assertThat(result.exitCode).as(result.toString()).isZero();
    }

    @Test
    @Order(1)
    void theSendQuotaIsSharedByBothNodes() throws Exception {
        List<String> accepted = new ArrayList<>();
        assertThat(submit(nodeA, accepted).code).isEqualTo(250);
        assertThat(submit(nodeB, accepted).code).isEqualTo(250);
        assertThat(submit(nodeA, accepted).code).isEqualTo(250);

        Reply overB = submit(nodeB, new ArrayList<>());
        assertThat(overB.code).as(overB.toString()).isEqualTo(451);
        assertThat(overB.text).startsWith("4.7.1").contains("[rule quota.identity.messages-per-hour]").contains("try again after");
        Reply overA = submit(nodeA, new ArrayList<>());
        assertThat(overA.code).as(overA.toString()).isEqualTo(451);

        for (String marker : accepted) {
            sink.awaitContaining(marker, DELIVERY);
        }
        CliResult usageOnB = nodeB.smarthostCli("quota", "show", "alice@corp.example");
        assertThat(usageOnB.output).as(usageOnB.toString()).contains("messages 3/h");

        CliResult reset = nodeA.smarthostCli("quota", "reset", "alice@corp.example");
        assertThat(reset.exitCode).as(reset.toString()).isZero();
        assertThat(submit(nodeB, accepted).code).as("after a reset on the other node").isEqualTo(250);
    }

    @Test
    @Order(2)
    void aPopLoginOnOneNodeOpensRelayingOnTheOther() throws Exception {
        String refusedBefore;
        try (SmtpClient client = SmtpClient.connect("127.0.0.8", nodeB.smtpPort)) {
            client.ehlo("pop-user.test");
            assertThat(client.mailFrom("popper@corp.example").code).isEqualTo(250);
            Reply before = client.rcptTo("x@remote.example");
            assertThat(before.code).isEqualTo(550);
            refusedBefore = before.text;
        }
        assertThat(refusedBefore).contains("[rule outbound.relay-denied]");

        assertThat(popLogin(nodeA, "127.0.0.8", "popper@corp.example", "secret")).startsWith("+OK");
        String marker = "pop-" + UUID.randomUUID();
        try (SmtpClient client = SmtpClient.connect("127.0.0.8", nodeB.smtpPort)) {
            client.ehlo("pop-user.test");
            Reply reply = client.send("popper@corp.example", "y@remote.example",
                SmtpClient.message("popper@corp.example", "y@remote.example", "pop on A, relay on B", marker));
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }
        assertThat(sink.awaitContaining(marker, DELIVERY).content()).contains("X-Smarthost-Relay: rules=outbound.pop-before-smtp");
        assertThat(nodeB.smarthostCli("pop-auth", "list").output).contains("127.0.0.8 popper@corp.example");
    }

    /** Fail closed: with the shared state unreachable nothing relays; the client is told to retry (4xx). */
    @Test
    @Order(3)
    void withRedisDownBothNodesAnswer451AndRelayNothing() throws Exception {
        redis.destroy();
        assertThat(redis.waitFor(10, TimeUnit.SECONDS)).isTrue();
        for (SmarthostServer node : List.of(nodeA, nodeB)) {
            List<String> accepted = new ArrayList<>();
            Reply reply = submit(node, accepted);
            assertThat(reply.code).as(reply.toString()).isEqualTo(451);
            assertThat(reply.text).startsWith("4.3.0").contains("[rule lookup.failed]");
            assertThat(accepted).isEmpty();
        }
    }

    private Reply submit(SmarthostServer node, List<String> markers) throws IOException {
        String marker = "quota-" + UUID.randomUUID();
        try (SmtpClient client = SmtpClient.connect("127.0.0.9", node.submissionPort)) {
            client.startTls("client.test");
            assertThat(client.authPlain("alice@corp.example", "secret").code).isEqualTo(235);
            Reply reply = client.send("alice@corp.example", "bob@remote.example",
                SmtpClient.message("alice@corp.example", "bob@remote.example", "quota", marker));
            if (reply.code == 250) {
                markers.add(marker);
            }
            return reply;
        }
    }

    private static String popLogin(SmarthostServer node, String local, String user, String password) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", node.pop3Port), 10_000);
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            in.readLine();
            out.write(("USER " + user + "\r\nPASS " + password + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in.readLine();
            String pass = in.readLine();
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return pass;
        }
    }

    /** A real redis-server on 127.0.0.1 (no persistence), never the system service. */
    private static Process startRedis(int port) throws Exception {
        Path binary = Path.of("/usr/bin/redis-server");
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("redis-server not found: install the Debian package redis-server (apt-get install -y redis-server)");
        }
        Path dir = Files.createDirectories(SmarthostServer.distribution().getParent().resolve("it-homes").resolve("redis"));
        Process process = new ProcessBuilder(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                if ("+PONG".equals(answer)) {
                    return process;
                }
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
            if (!process.isAlive()) {
                throw new AssertionError("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
            }
        }
        throw new AssertionError("redis-server did not answer PING on port " + port);
    }
}
