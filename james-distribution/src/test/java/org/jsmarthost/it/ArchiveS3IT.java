package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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

    private Path work;
    private int s3Port;
    private S3ProxyServer s3;
    private SmtpSink sink;
    private SmarthostServer nodeA;
    private SmarthostServer nodeB;

    private SmarthostServer node(String name) throws Exception {
        SmarthostServer s = SmarthostServer.create("archive-s3-" + name, Map.of("SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port()))
            .senderDomains("corp.example");
        s3.configure(s, name);
        return s;
    }

    @BeforeAll
    void start() throws Exception {
        work = SmarthostServer.distribution().getParent().resolve("it-homes/archive-s3");
        SmarthostServer.deleteRecursively(work);
        Files.createDirectories(work);
        s3 = S3ProxyServer.start(work);
        s3Port = s3.port;
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
        if (s3 != null) {
            s3.close();
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
        S3Client client = new S3Client(URI.create("http://127.0.0.1:" + s3Port), "us-east-1", "archive",
            S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY, Clock.systemUTC());
        assertThat(S3Archive.nodes(client)).containsExactly("node-a", "node-b");
        assertThat(client.list("nodes/node-a/index/")).hasSize(2 * perNode);

        // the bucket goes away: mail is held back, not relayed unarchived
        s3.stop();
        String held = "held-" + UUID.randomUUID();
        send(nodeA, held);
        nodeA.awaitLog("NOT archived (received)", Duration.ofSeconds(60));
        Thread.sleep(6000);
        assertThat(sink.anyContaining(held)).as("relayed unarchived").isFalse();
        s3.restart();
        sink.awaitContaining(held, DELIVERY);
        CliResult found = nodeA.smarthostCli("archive", "search", "--message-id", held + "@s3.example");
        assertThat(found.output).contains("2 entries");
        CliResult verify = nodeA.smarthostCli("archive", "verify");
        assertThat(verify.exitCode).as(verify.toString()).isZero();
        System.out.println("ArchiveS3IT: 2 nodes x " + perNode + " messages archived into one bucket concurrently, both chains verify; "
            + "held back while S3 was down, archived and relayed after:\n" + verify.output);
    }
}
