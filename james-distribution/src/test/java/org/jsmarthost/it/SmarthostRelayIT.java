package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.jsmarthost.it.SmarthostServer.CliResult;
import org.jsmarthost.it.SmtpClient.Reply;
import org.jsmarthost.it.SmtpSink.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The distribution as a new user meets it: started by bin/smarthost with the shipped conf/, a domain and
 * a user made with the stock james-cli, mail submitted on each listener, the upstream relay host a real
 * SMTP sink on 127.0.0.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmarthostRelayIT {
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    private SmtpSink sink;
    private SmarthostServer server;

    @BeforeAll
    void start() throws Exception {
        sink = SmtpSink.start();
        server = SmarthostServer.create("relay", Map.of("SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port())).start();
        CliResult domain = server.jamesCli("AddDomain", "corp.example");
        assertThat(domain.exitCode).as(domain.toString()).isZero();
        CliResult user = server.jamesCli("AddUser", "alice@corp.example", "secret");
        assertThat(user.exitCode).as(user.toString()).isZero();
        assertThat(server.jamesCli("ListDomains").output).contains("corp.example");
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (sink != null) {
            sink.close();
        }
    }

    private static String marker() {
        return "marker-" + UUID.randomUUID();
    }

    @Test
    void authenticatedSubmissionOverStartTlsIsRelayedToTheUpstreamWithItsContent() throws Exception {
        String marker = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.2", server.submissionPort)) {
            assertThat(client.greeting.code).isEqualTo(220);
            assertThat(client.greeting.text).startsWith("smarthost.test");
            assertThat(client.ehlo("client.test").text).doesNotContain("AUTH");
            assertThat(client.startTls("client.test").text).contains("AUTH");
            assertThat(client.authPlain("alice@corp.example", "secret").code).isEqualTo(235);
            Reply reply = client.send("alice@corp.example", "bob@remote.example",
                SmtpClient.message("Alice <alice@corp.example>", "bob@remote.example", "quarterly report", "Hello Bob,\n" + marker + "\n.leading dot line"));
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }

        Received mail = sink.awaitContaining(marker, DELIVERY);
        assertThat(mail.mailFrom).isEqualTo("alice@corp.example");
        assertThat(mail.recipients).containsExactly("bob@remote.example");
        assertThat(mail.helo).isEqualTo("smarthost.test");
        assertThat(mail.content()).contains("Subject: quarterly report")
            .contains("From: Alice <alice@corp.example>")
            .contains("Hello Bob,\r\n" + marker + "\r\n.leading dot line")
            .contains("by smarthost.test");
    }

    @Test
    void authenticatedSubmissionOverSmtpsIsRelayed() throws Exception {
        String marker = marker();
        try (SmtpClient client = SmtpClient.connectTls("127.0.0.3", server.smtpsPort)) {
            assertThat(client.ehlo("client.test").text).contains("AUTH");
            assertThat(client.authPlain("alice@corp.example", "secret").code).isEqualTo(235);
            Reply reply = client.send("alice@corp.example", "carol@remote.example",
                SmtpClient.message("alice@corp.example", "carol@remote.example", "over smtps", marker));
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }

        Received mail = sink.awaitContaining(marker, DELIVERY);
        assertThat(mail.recipients).containsExactly("carol@remote.example");
        assertThat(mail.content()).contains("Subject: over smtps");
    }

    @Test
    void trustedNetworkRelaysOnTheMxPortWithoutAuth() throws Exception {
        String marker = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            assertThat(client.ehlo("app.test").text).doesNotContain("AUTH");
            Reply reply = client.send("app@corp.example", "dave@remote.example",
                SmtpClient.message("app@corp.example", "dave@remote.example", "from the trusted network", marker));
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }

        assertThat(sink.awaitContaining(marker, DELIVERY).recipients).containsExactly("dave@remote.example");
    }

    @Test
    void untrustedClientOnTheMxPortIsRefusedAtRcptAndNothingArrives() throws Exception {
        String refused = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.2", server.smtpPort)) {
            client.ehlo("stranger.test");
            assertThat(client.mailFrom("alice@corp.example").code).isEqualTo(250);
            Reply rcpt = client.rcptTo("bob@remote.example");
            assertThat(rcpt.code).as(rcpt.toString()).isEqualTo(550);
            assertThat(rcpt.text).contains("5.7.1");
            assertThat(client.command("DATA").code).isEqualTo(503);
        }

        // a positive control sent afterwards: once it has arrived, the refused mail had every chance to arrive too
        String control = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("app.test");
            assertThat(client.send("app@corp.example", "bob@remote.example",
                SmtpClient.message("app@corp.example", "bob@remote.example", "control", control)).code).isEqualTo(250);
        }
        sink.awaitContaining(control, DELIVERY);
        assertThat(sink.anyContaining(refused)).isFalse();
        assertThat(sink.received()).noneMatch(mail -> mail.recipients.contains("bob@remote.example") && mail.content().contains(refused));
    }

    @Test
    void submissionWithoutAuthIsRefusedAtMail() throws Exception {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.submissionPort)) {
            client.startTls("client.test");
            Reply mail = client.mailFrom("someone@outside.example");
            assertThat(mail.code).as(mail.toString()).isEqualTo(530);
            assertThat(mail.text).startsWith("5.7.0").contains("[rule submission.auth-required]");
            assertThat(client.rcptTo("bob@remote.example").code).isEqualTo(503);
        }
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        try (SmtpClient client = SmtpClient.connect("127.0.0.2", server.submissionPort)) {
            client.startTls("client.test");
            assertThat(client.authPlain("alice@corp.example", "wrong").code).isEqualTo(535);
        }
    }

    @Test
    void everyListeningSocketOfTheServerIsOnLoopbackIncludingJmxRmi() throws Exception {
        String pid = java.nio.file.Files.readString(server.home.resolve("var/smarthost.pid")).trim();
        Process ss = new ProcessBuilder("ss", "-ltnpH").redirectErrorStream(true).start();
        String sockets = new String(ss.getInputStream().readAllBytes());
        ss.waitFor();
        java.util.List<String> local = sockets.lines()
            .filter(line -> line.contains("pid=" + pid + ","))
            .map(line -> line.trim().split("\\s+")[3])
            .collect(java.util.stream.Collectors.toList());

        assertThat(local).hasSizeGreaterThanOrEqualTo(7);
        assertThat(local).allMatch(address -> address.startsWith("127.0.0.1:") || address.startsWith("[::ffff:127.0.0.1]:"),
            "bound to loopback");
        for (int port : new int[] {server.smtpPort, server.submissionPort, server.smtpsPort, server.pop3Port, server.jmxPort, server.webadminPort}) {
            assertThat(local).anyMatch(address -> address.endsWith(":" + port));
        }
    }
    /**
     * The shipped server frames SMTP lines on each connection's event loop (SmarthostSmtpServer): after sessions on
     * all three SMTP listeners, the JVM has their event-loop threads ({@code <jmxName>-io-N}) but none of James's
     * executor threads ({@code <jmxName>-N}), which start as soon as James 3.8.1's framer gets its first line.
     */
    @Test
    void smtpLinesAreFramedOnTheEventLoopsNotOnJamesExecutorThreads() throws Exception {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            assertThat(client.ehlo("app.test").code).isEqualTo(250);
            Reply reply = client.send("app@corp.example", "erin@remote.example",
                SmtpClient.message("app@corp.example", "erin@remote.example", "framing", marker()));
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.submissionPort)) {
            assertThat(client.ehlo("app.test").code).isEqualTo(250);
        }
        try (SmtpClient client = SmtpClient.connectTls("127.0.0.1", server.smtpsPort)) {
            assertThat(client.ehlo("app.test").code).isEqualTo(250);
        }
        String pid = java.nio.file.Files.readString(server.home.resolve("var/smarthost.pid")).trim();
        Process jcmd = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
            pid, "Thread.print").redirectErrorStream(true).start();
        String dump = new String(jcmd.getInputStream().readAllBytes());
        assertThat(jcmd.waitFor()).as(dump).isZero();
        java.util.List<String> smtpThreads = dump.lines()
            .filter(line -> line.startsWith("\"smtpserver-"))
            .map(line -> line.substring(1, line.indexOf('"', 1)))
            .collect(java.util.stream.Collectors.toList());

        for (String listener : new String[] {"mx", "submission", "smtps"}) {
            assertThat(smtpThreads).as("event loops of " + listener).anyMatch(name -> name.matches("smtpserver-" + listener + "-io-\\d+"));
        }
        assertThat(smtpThreads).as("James's framer executor threads").noneMatch(name -> name.matches("smtpserver-[a-z]+-\\d+"));
    }
}
