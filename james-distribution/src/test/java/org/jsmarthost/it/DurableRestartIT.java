package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jsmarthost.it.SmarthostServer.CliResult;
import org.jsmarthost.it.SmtpClient.Reply;
import org.jsmarthost.it.SmtpSink.Received;
import org.junit.jupiter.api.Test;

/**
 * What survives a restart of the durable distribution, on one server home through three runs:
 * <ol>
 *   <li>run 1: domains, a user and address mappings made with james-cli; a message acknowledged with 250
 *       while the upstream is down, and the server killed with SIGKILL right after the 250;</li>
 *   <li>run 2: that message is still there (it was on disk before the 250); another message and a 1.2 MB one
 *       (its bytes in a queue body file) wait in the durable {@code outgoing} queue for their retry (upstream
 *       still down); a mail for a mapped address
 *       whose target does not exist lands in the file repository {@code var/mail/address-error}; then a
 *       graceful stop (SIGTERM) in the middle of an SMTP DATA transaction: the server stops accepting
 *       connections but lets the transaction finish with a 250;</li>
 *   <li>run 3: the domain, AUTH with the user and the mappings still work, the file repository still holds
 *       its mail, the outgoing queue still holds the waiting mail; the upstream comes back and every
 *       acknowledged message is delivered on the configured retry schedule (SMARTHOST_DELIVERY_DELAYS).</li>
 * </ol>
 */
class DurableRestartIT {
    private static final Duration RETRY = Duration.ofSeconds(8);
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void stateSurvivesKillAndGracefulRestart() throws Exception {
        int upstreamPort = SmarthostServer.freePort();
        SmarthostServer server = SmarthostServer.create("restart", Map.of(
            "SMARTHOST_RELAYHOST", "127.0.0.1:" + upstreamPort,
            "SMARTHOST_DELIVERY_DELAYS", RETRY.toSeconds() + " seconds")).senderDomains("client.test");
        String killedMarker = marker();
        String waitingMarker = marker();
        String gracefulMarker = marker();
        String authMarker = marker();
        String mappedMarker = marker();
        String largeMarker = marker();
        String largePadding = largeBody();
        try {
            // run 1
            server.start();
            cli(server, "AddDomain", "corp.example");
            cli(server, "AddUser", "alice@corp.example", "secret");
            cli(server, "AddAddressMapping", "sales", "corp.example", "team@remote.example");
            cli(server, "AddAddressMapping", "info", "corp.example", "ghost@corp.example");
            assertThat(upstreamIsDown(upstreamPort)).isTrue();
            assertThat(send(server, "bob@remote.example", killedMarker).code).isEqualTo(250);
            server.kill();

            // run 2
            server.start();
            assertThat(send(server, "carol@remote.example", waitingMarker).code).isEqualTo(250);
            // above 256 KiB the queue keeps the bytes in an fsync'ed body file (QueueBodyStore), not in the journal
            assertThat(send(server, "frank@remote.example", largeMarker + "\n" + largePadding).code).isEqualTo(250);
            awaitQueueSize(server, "outgoing", 3, DELIVERY);
            assertThat(send(server, "info@corp.example", marker()).code).isEqualTo(250);
            awaitRepositorySize(server, "var/mail/address-error", 1, DELIVERY);
            assertThat(gracefulStopDuringData(server, gracefulMarker).code).isEqualTo(250);

            // run 3
            server.start();
            assertThat(cli(server, "ListDomains").output).contains("corp.example");
            assertThat(cli(server, "ListUsers").output).contains("alice@corp.example");
            assertThat(cli(server, "ListMappings").output).contains("team@remote.example");
            assertThat(repositorySize(server, "var/mail/address-error")).isEqualTo(1);
            assertThat(queueSize(server, "outgoing")).as("mail waiting for the upstream, across the restarts").isGreaterThanOrEqualTo(2);
            try (SmtpClient client = SmtpClient.connect("127.0.0.2", server.submissionPort)) {
                client.ehlo("client.test");
                assertThat(client.startTls("client.test").text).contains("AUTH");
                assertThat(client.authPlain("alice@corp.example", "secret").code).as("AUTH after restart").isEqualTo(235);
                assertThat(client.send("alice@corp.example", "dave@remote.example",
                    SmtpClient.message("alice@corp.example", "dave@remote.example", "after restart", authMarker)).code).isEqualTo(250);
            }
            assertThat(send(server, "sales@corp.example", mappedMarker).code).isEqualTo(250);

            long upstreamBack = System.nanoTime();
            try (SmtpSink sink = SmtpSink.start(upstreamPort)) {
                assertThat(sink.awaitContaining(killedMarker, DELIVERY).recipients).containsExactly("bob@remote.example");
                assertThat(sink.awaitContaining(waitingMarker, DELIVERY).recipients).containsExactly("carol@remote.example");
                double waited = (System.nanoTime() - upstreamBack) / 1e9;
                assertThat(sink.awaitContaining(gracefulMarker, DELIVERY).recipients).containsExactly("erin@remote.example");
                Received auth = sink.awaitContaining(authMarker, DELIVERY);
                assertThat(auth.mailFrom).isEqualTo("alice@corp.example");
                assertThat(sink.awaitContaining(mappedMarker, DELIVERY).recipients).containsExactly("team@remote.example");
                Received large = sink.awaitContaining(largeMarker, DELIVERY);
                assertThat(large.recipients).containsExactly("frank@remote.example");
                assertThat(large.content()).as("the 1.2 MB body, intact").contains(largePadding.replace("\n", "\r\n"));
                System.out.printf("DurableRestartIT: queued mail delivered %.1f s after the upstream came back (retry delay %s, "
                    + "queue readers refresh their selector every 1 s)%n", waited, RETRY);
                // retry schedule: delay + the queue readers' 1 s selector refresh + slack for a loaded machine
                assertThat(waited).isLessThan(RETRY.toSeconds() + 10 + 30);
                awaitQueueSize(server, "outgoing", 0, DELIVERY);
                await(() -> bodyFiles(server), 0, "body files left once every large mail has left the queues",
                    Duration.ofSeconds(10));
                for (String marker : new String[] {killedMarker, waitingMarker, gracefulMarker, authMarker, mappedMarker, largeMarker}) {
                    assertThat(sink.received().stream().filter(mail -> mail.content().contains(marker)).count())
                        .as("copies of " + marker).isEqualTo(1);
                }
            }
        } finally {
            server.stop();
        }
    }

    /** SIGTERM while a client is inside DATA; the client then ends the message and must get its 250. */
    private static Reply gracefulStopDuringData(SmarthostServer server, String marker) throws Exception {
        AtomicReference<Throwable> stopFailure = new AtomicReference<>();
        Thread stopper = new Thread(() -> {
            try {
                server.stop();
            } catch (Throwable t) {
                stopFailure.set(t);
            }
        }, "sigterm");
        Reply reply;
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("client.test");
            assertThat(client.mailFrom("sender@client.test").code).isEqualTo(250);
            assertThat(client.rcptTo("erin@remote.example").code).isEqualTo(250);
            assertThat(client.command("DATA").code).isEqualTo(354);
            client.write("From: sender@client.test\r\nTo: erin@remote.example\r\nSubject: in flight\r\n\r\nfirst half\r\n");
            stopper.start();
            server.awaitLog("SMTP listeners closed", Duration.ofSeconds(30));
            assertThat(refusesConnections(server.smtpPort)).as("no new SMTP connection while draining").isTrue();
            client.write(marker + "\r\nsecond half\r\n");
            reply = client.endData();
            client.command("QUIT");
        }
        stopper.join(120_000);
        assertThat(stopFailure.get()).isNull();
        assertThat(server.isRunning()).isFalse();
        assertThat(server.console()).contains("Durable stores closed");
        return reply;
    }

    private static boolean refusesConnections(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    private static long bodyFiles(SmarthostServer server) throws Exception {
        try (java.util.stream.Stream<java.nio.file.Path> files = Files.list(server.home.resolve("var/store/activemq/bodies"))) {
            return files.count();
        }
    }

    private static String largeBody() {
        StringBuilder body = new StringBuilder();
        for (int line = 0; body.length() < 1_200_000; line++) {
            body.append("large mail line ").append(line).append(": the quick brown fox jumps over the lazy dog\n");
        }
        return body.toString();
    }

    private static Reply send(SmarthostServer server, String to, String marker) throws Exception {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("client.test");
            return client.send("sender@client.test", to, SmtpClient.message("sender@client.test", to, "durable", marker));
        }
    }

    private static CliResult cli(SmarthostServer server, String... args) throws Exception {
        CliResult result = server.jamesCli(args);
        assertThat(result.exitCode).as(String.join(" ", args) + ": " + result).isZero();
        return result;
    }

    private static boolean upstreamIsDown(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return probe.isBound();
        } catch (Exception e) {
            return false;
        }
    }

    private static String marker() {
        return "marker-" + UUID.randomUUID();
    }

    private static long queueSize(SmarthostServer server, String queue) throws Exception {
        return size(webadmin(server, "/mailQueues/" + queue));
    }

    private static long repositorySize(SmarthostServer server, String path) throws Exception {
        return size(webadmin(server, "/mailRepositories/" + path.replace("/", "%2F")));
    }

    private static void awaitQueueSize(SmarthostServer server, String queue, long expected, Duration timeout) throws Exception {
        await(() -> queueSize(server, queue), expected, "queue " + queue, timeout);
    }

    private static void awaitRepositorySize(SmarthostServer server, String path, long expected, Duration timeout) throws Exception {
        await(() -> repositorySize(server, path), expected, "repository " + path, timeout);
    }

    private interface Size {
        long get() throws Exception;
    }

    private static void await(Size size, long expected, String what, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            last = size.get();
            if (last == expected) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(what + ": size " + last + ", expected " + expected + " within " + timeout);
    }

    private static String webadmin(SmarthostServer server, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.webadminPort + path))
            .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    private static long size(String json) {
        Matcher matcher = Pattern.compile("\"size\"\\s*:\\s*(\\d+)").matcher(json);
        assertThat(matcher.find()).as("size in " + json).isTrue();
        return Long.parseLong(matcher.group(1));
    }
}
