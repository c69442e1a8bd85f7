package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jsmarthost.core.archive.s3.S3Archive;
import org.jsmarthost.core.archive.s3.S3Client;
import org.jsmarthost.it.SmarthostServer.CliResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two smarthost nodes (two distributions) archiving into one S3 bucket at the same time, the bucket served
 * by S3Proxy 2.6.0 (Maven Central) on 127.0.0.1; conf/mailetcontainer.xml edited as an admin would
 * ({@code store=s3} on the three archive mailets). Then the S3 server goes away: mail is held back, and
 * archived and relayed once it is back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveS3IT {
    private static final Duration START = Duration.ofMinutes(10);
    private static final Duration DELIVERY = Duration.ofSeconds(120);
    private static final String VERSION = "2.6.0";

    private Path work;
    private int s3Port;
    private Process s3proxy;
    private SmtpSink sink;
    private SmarthostServer nodeA;
    private SmarthostServer nodeB;

    private static Path jar() {
        Path jar = Path.of(System.getProperty("user.home"), ".m2/repository/org/gaul/s3proxy", VERSION,
            "s3proxy-" + VERSION + "-jar-with-dependencies.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " missing: mvn dependency:get -Dartifact=org.gaul:s3proxy:" + VERSION
                + ":jar:jar-with-dependencies -Dtransitive=false (.ci/run does it)");
        }
        return jar;
    }

    private void startS3Proxy() throws Exception {
        Path props = work.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n", "s3proxy.endpoint=http://127.0.0.1:" + s3Port, "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=smarthost", "s3proxy.credential=smarthost-secret", "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + Files.createDirectories(work.resolve("blobs")), "jclouds.identity=smarthost",
            "jclouds.credential=smarthost-secret", ""));
        s3proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
            jar().toString(), "--properties", props.toString()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("s3proxy.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", s3Port)) {
                return;
            } catch (IOException e) {
                assertThat(s3proxy.isAlive() && System.nanoTime() < deadline).as("S3Proxy starts").isTrue();
                Thread.sleep(200);
            }
        }
    }

    private SmarthostServer node(String name) throws Exception {
        SmarthostServer s = SmarthostServer.create("archive-s3-" + name, Map.of("SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port()))
            .senderDomains("corp.example");
        String conf = Files.readString(s.dist.resolve("conf/mailetcontainer.xml"));
        String s3 = "<retryDelay>2s</retryDelay><store>s3</store><s3Endpoint>http://127.0.0.1:" + s3Port + "</s3Endpoint>"
            + "<s3Bucket>archive</s3Bucket><s3AccessKey>smarthost</s3AccessKey><s3SecretKey>smarthost-secret</s3SecretKey>"
            + "<node>" + name + "</node>";
        String edited = conf.replace("<retryDelay>60s</retryDelay>", s3);
        assertThat(edited.split("<store>s3</store>", -1)).hasSize(4);
        Files.createDirectories(s.home.resolve("conf"));
        Files.writeString(s.home.resolve("conf/mailetcontainer.xml"), edited);
        return s;
    }

    @BeforeAll
    void start() throws Exception {
        work = SmarthostServer.distribution().getParent().resolve("it-homes/archive-s3");
        SmarthostServer.deleteRecursively(work);
        Files.createDirectories(work);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            s3Port = s.getLocalPort();
        }
        startS3Proxy();
        new S3Client(URI.create("http://127.0.0.1:" + s3Port), "us-east-1", "archive", "smarthost", "smarthost-secret", Clock.systemUTC())
            .createBucket();
        sink = SmtpSink.start();
        nodeA = node("node-a").start(START);
        nodeB = node("node-b").start(START);
    }

    @AfterAll
    void stop() throws Exception {
        for (SmarthostServer s : new SmarthostServer[] {nodeA, nodeB}) {
            if (s != null) {
                s.stop();
            }
        }
        if (sink != null) {
            sink.close();
        }
        if (s3proxy != null) {
            s3proxy.destroy();
            s3proxy.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void send(SmarthostServer node, String id) throws IOException {
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", node.smtpPort)) {
            c.ehlo("app.test");
            SmtpClient.Reply r = c.send("app@corp.example", "bob@remote.example",
                "From: app@corp.example\r\nTo: bob@remote.example\r\nSubject: s3 " + id + "\r\nMessage-ID: <" + id + "@s3.example>\r\n\r\n" + id + "\r\n");
            assertThat(r.code).as(r.toString()).isEqualTo(250);
        }
    }

    @Test
    void twoNodesArchiveIntoOneBucketAtOnceAndAnUnreachableBucketHoldsMailBack() throws Exception {
        int perNode = 40;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> sends = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < perNode; i++) {
            for (SmarthostServer node : List.of(nodeA, nodeB)) {
                String id = (node == nodeA ? "a-" : "b-") + i + "-" + UUID.randomUUID();
                ids.add(id);
                sends.add(pool.submit(() -> {
                    send(node, id);
                    return null;
                }));
            }
        }
        for (Future<?> f : sends) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        for (String id : ids) {
            sink.awaitContaining(id, DELIVERY);
        }
        for (SmarthostServer node : List.of(nodeA, nodeB)) {
            CliResult verify = node.smarthostCli("archive", "verify");
            assertThat(verify.exitCode).as(verify.toString()).isZero();
            assertThat(verify.output).contains("records:          " + (2 * perNode)).contains("contents checked: " + (2 * perNode));
            CliResult search = node.smarthostCli("archive", "search", "--to", "bob@remote.example", "--capture", "sent");
            assertThat(search.output).contains(perNode + " entries");
        }
        S3Client s3 = new S3Client(URI.create("http://127.0.0.1:" + s3Port), "us-east-1", "archive", "smarthost", "smarthost-secret",
            Clock.systemUTC());
        assertThat(S3Archive.nodes(s3)).containsExactly("node-a", "node-b");
        assertThat(s3.list("nodes/node-a/index/")).hasSize(2 * perNode);

        // the bucket goes away: mail is held back, not relayed unarchived
        s3proxy.destroy();
        assertThat(s3proxy.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String held = "held-" + UUID.randomUUID();
        send(nodeA, held);
        nodeA.awaitLog("NOT archived (received)", Duration.ofSeconds(60));
        Thread.sleep(6000);
        assertThat(sink.anyContaining(held)).as("relayed unarchived").isFalse();
        startS3Proxy();
        sink.awaitContaining(held, DELIVERY);
        CliResult found = nodeA.smarthostCli("archive", "search", "--message-id", held + "@s3.example");
        assertThat(found.output).contains("2 entries");
        CliResult verify = nodeA.smarthostCli("archive", "verify");
        assertThat(verify.exitCode).as(verify.toString()).isZero();
        System.out.println("ArchiveS3IT: 2 nodes x " + perNode + " messages archived into one bucket concurrently, both chains verify; "
            + "held back while S3 was down, archived and relayed after:\n" + verify.output);
    }
}
