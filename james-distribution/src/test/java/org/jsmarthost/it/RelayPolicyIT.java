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

import org.jsmarthost.it.SmarthostServer.CliResult;
import org.jsmarthost.it.SmtpClient.Reply;
import org.jsmarthost.it.SmtpSink.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The relay policy end to end: the distribution with the shipped conf/ and a policy file in the test home,
 * users and an address mapping made with james-cli, real SMTP and POP3 from loopback addresses, the upstream a
 * real SMTP sink. Untrusted clients are 127.0.0.2/.3/.5; the trusted network is SMARTHOST_TRUSTED_NETWORKS'
 * default 127.0.0.1/32; the SMTP-after-POP client is 127.0.0.4.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayPolicyIT {
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final int POP_WINDOW_SECONDS = 10;

    private SmtpSink sink;
    private SmtpSink partnerMx;
    private SmarthostServer server;
    private String policy;

    @BeforeAll
    void start() throws Exception {
        sink = SmtpSink.start();
        partnerMx = SmtpSink.start();
        server = SmarthostServer.create("relay-policy", Map.of("SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port()));
        policy = "trusted_networks = ${sys:smarthost.trusted.networks}\n"
            + "relay_domain partner.example = 127.0.0.1:" + partnerMx.port() + "\n"
            + "relay_recipients partner.example = info@partner.example\n"
            + "grant alice@corp.example = postmaster@corp.example\n"
            + "pop_window = " + POP_WINDOW_SECONDS + "s\n"
            + "quota_identity quota@corp.example = recipients_per_hour=2\n"
            + "quota_identity msgq@corp.example = messages_per_hour=1\n";
        writePolicy(server, policy);
        routeNextHop(server, "127.0.0.1", partnerMx.port());
        server.start();
        cli("AddDomain", "corp.example");
        for (String user : List.of("alice", "bob", "popper", "quota", "msgq")) {
            cli("AddUser", user + "@corp.example", "secret");
        }
        cli("AddAddressMapping", "sales", "corp.example", "alice@corp.example");
        cli("AddAddressMapping", "fwd", "corp.example", "forwarded@remote.example");
    }

    private static void writePolicy(SmarthostServer s, String text) throws IOException {
        Path conf = Files.createDirectories(s.home.resolve("conf"));
        Files.writeString(conf.resolve("smarthost-policy.conf"), text);
    }

    /** What the admin does for a fixed next hop: a RemoteDelivery behind RecipientIsRelayDomain=host:port. */
    private static void routeNextHop(SmarthostServer s, String host, int port) throws IOException {
        String conf = Files.readString(s.dist.resolve("conf/mailetcontainer.xml"));
        String anchor = "            <!-- next hop \"mx\": the relay domain's MX records -->";
        assertThat(conf).contains(anchor);
        String route = "            <mailet match=\"org.jsmarthost.matchers.relay.RecipientIsRelayDomain=" + host + ":" + port
            + "\" class=\"RemoteDelivery\">\n"
            + "                <outgoing>relay-inbound-test</outgoing>\n"
            + "                <gateway>" + host + "</gateway>\n"
            + "                <gatewayPort>" + port + "</gatewayPort>\n"
            + "                <heloName>smarthost.test</heloName>\n"
            + "                <delayTime>5 seconds</delayTime>\n"
            + "                <maxRetries>3</maxRetries>\n"
            + "            </mailet>\n";
        Files.createDirectories(s.home.resolve("conf"));
        Files.writeString(s.home.resolve("conf/mailetcontainer.xml"), conf.replace(anchor, route + anchor));
    }

    private void cli(String... args) throws Exception {
        CliResult r = server.jamesCli(args);
        assertThat(r.exitCode).as(String.join(" ", args) + ": " + r).isZero();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (sink != null) {
            sink.close();
        }
        if (partnerMx != null) {
            partnerMx.close();
        }
    }

    private static String marker() {
        return "marker-" + UUID.randomUUID();
    }

    /** One relay attempt: raw MAIL and RCPT lines, the expected reply class and (when the pack decides) rule. */
    private static final class Attempt {
        final String name;
        final String client;
        final String mail;
        final String rcpt;
        final String rule;

        Attempt(String name, String client, String mail, String rcpt, String rule) {
            this.name = name;
            this.client = client;
            this.mail = mail;
            this.rcpt = rcpt;
            this.rule = rule;
        }
    }

    private static Attempt a(String name, String mail, String rcpt, String rule) {
        return new Attempt(name, "127.0.0.2", mail, rcpt, rule);
    }

    @Test
    void batteryOfRelayTricksFromUntrustedClientsRelaysNothing() throws Exception {
        String battery = marker();
        String from = "MAIL FROM:<alice@corp.example>";
        List<Attempt> attempts = List.of(
            a("plain relay", from, "RCPT TO:<victim@remote.example>", "outbound.relay-denied"),
            a("case variant", "MAIL FROM:<ALICE@CORP.EXAMPLE>", "RCPT TO:<VICTIM@REMOTE.EXAMPLE>", "outbound.relay-denied"),
            a("null sender", "MAIL FROM:<>", "RCPT TO:<victim@remote.example>", "outbound.relay-denied"),
            a("foreign sender", "MAIL FROM:<someone@outside.example>", "RCPT TO:<victim@remote.example>", "outbound.relay-denied"),
            a("percent hack", from, "RCPT TO:<victim%remote.example@corp.example>", "addr.percent-hack"),
            a("percent hack upper case", from, "RCPT TO:<VICTIM%REMOTE.EXAMPLE@CORP.EXAMPLE>", "addr.percent-hack"),
            a("percent hack to relay domain", from, "RCPT TO:<victim%remote.example@partner.example>", "addr.percent-hack"),
            a("bang path", from, "RCPT TO:<remote.example!victim@corp.example>", "addr.bang-path"),
            a("bare bang path", from, "RCPT TO:<remote.example!victim>", null),
            a("source route", from, "RCPT TO:<@corp.example:victim@remote.example>", null),
            a("source route, two hops", from, "RCPT TO:<@corp.example,@smarthost.test:victim@remote.example>", null),
            a("quoted local part with @", from, "RCPT TO:<\"victim@remote.example\"@corp.example>", null),
            a("quoted local part with %", from, "RCPT TO:<\"victim%remote.example\"@corp.example>", null),
            a("double @", from, "RCPT TO:<victim@remote.example@corp.example>", null),
            a("IPv4 literal", from, "RCPT TO:<victim@[127.0.0.1]>", null),
            a("IPv6 literal", from, "RCPT TO:<victim@[IPv6:::1]>", null),
            a("dotted-numeric domain", from, "RCPT TO:<victim@127.0.0.1>", null),
            a("trailing dot", from, "RCPT TO:<victim@remote.example.>", null),
            a("trailing dot on our domain", from, "RCPT TO:<victim@corp.example.>", null),
            a("unqualified recipient", from, "RCPT TO:<victim>", "addr.unqualified"),
            a("unqualified sender", "MAIL FROM:<alice>", "RCPT TO:<victim@remote.example>", "addr.unqualified"),
            a("source-routed sender", "MAIL FROM:<@corp.example:alice@corp.example>", "RCPT TO:<victim@remote.example>", null),
            a("no brackets", from, "RCPT TO:victim@remote.example", null),
            a("sub-domain of a relay domain", from, "RCPT TO:<victim@sub.partner.example>", "outbound.relay-denied"),
            a("unknown recipient of a relay domain", from, "RCPT TO:<nobody@partner.example>", "inbound.unknown-recipient"),
            a("unknown local user", from, "RCPT TO:<nobody@corp.example>", null),
            a("localhost", from, "RCPT TO:<victim@localhost.remote.example>", "outbound.relay-denied"),
            new Attempt("other untrusted address", "127.0.0.3", from, "RCPT TO:<victim@remote.example>", "outbound.relay-denied"));
        List<String> report = new ArrayList<>();
        for (Attempt attempt : attempts) {
            try (SmtpClient client = SmtpClient.connect(attempt.client, server.smtpPort)) {
                client.ehlo("stranger.test");
                Reply mail = client.command(attempt.mail);
                Reply last = mail;
                if (mail.code == 250) {
                    last = client.command(attempt.rcpt);
                    if (last.code == 250) {
                        client.data(SmtpClient.message("alice@corp.example", "victim@remote.example", attempt.name, battery));
                    }
                }
                report.add(attempt.name + ": " + attempt.mail + " / " + attempt.rcpt + " -> " + last);
                assertThat(last.code).as(attempt.name + ": " + last).isBetween(500, 599);
                if (attempt.rule != null) {
                    assertThat(last.text).as(attempt.name).contains("[rule " + attempt.rule + "]");
                }
            }
        }
        // state across a session: a local recipient is fine, the next foreign one is not; RSET; STARTTLS; failed AUTH
        try (SmtpClient client = SmtpClient.connect("127.0.0.2", server.smtpPort)) {
            client.ehlo("stranger.test");
            assertThat(client.mailFrom("someone@outside.example").code).isEqualTo(250);
            assertThat(client.rcptTo("alice@corp.example").code).isEqualTo(250);
            Reply second = client.rcptTo("victim@remote.example");
            assertThat(second.code).as(second.toString()).isEqualTo(550);
            assertThat(client.command("RSET").code).isEqualTo(250);
            assertThat(client.rcptTo("victim@remote.example").code).isEqualTo(503);
            assertThat(client.startTls("stranger.test").code).isEqualTo(250);
            assertThat(client.mailFrom("alice@corp.example").code).isEqualTo(250);
            assertThat(client.rcptTo("victim@remote.example").text).contains("[rule outbound.relay-denied]");
            report.add("several RCPTs / RSET / STARTTLS: refused");
        }
        try (SmtpClient client = SmtpClient.connect("127.0.0.2", server.submissionPort)) {
            client.startTls("stranger.test");
            assertThat(client.authPlain("alice@corp.example", "wrong").code).isEqualTo(535);
            Reply mail = client.mailFrom("alice@corp.example");
            assertThat(mail.code).isEqualTo(530);
            assertThat(mail.text).startsWith("5.7.0").contains("[rule submission.auth-required]");
            report.add("failed AUTH then MAIL: " + mail);
        }
        try (SmtpClient client = SmtpClient.connect("127.0.0.2", server.submissionPort)) {
            client.ehlo("stranger.test");
            Reply mail = client.mailFrom("alice@corp.example");
            assertThat(mail.code).isEqualTo(530);
            assertThat(mail.text).contains("[rule submission.tls-required]");
            report.add("submission without TLS: " + mail);
        }
        Files.writeString(server.home.resolve("relay-battery.txt"), String.join("\n", report) + "\n");
        assertThat(report).hasSizeGreaterThanOrEqualTo(25 + 3);

        // positive control afterwards: once it arrived, refused mail had every chance to arrive too
        String control = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("app.test");
            assertThat(client.send("app@corp.example", "control@remote.example",
                SmtpClient.message("app@corp.example", "control@remote.example", "control", control)).code).isEqualTo(250);
        }
        Received arrived = sink.awaitContaining(control, DELIVERY);
        assertThat(arrived.content()).contains("X-Smarthost-Relay: rules=outbound.trusted-network");
        assertThat(sink.anyContaining(battery)).isFalse();
        assertThat(sink.received()).noneMatch(m -> m.recipients.stream().anyMatch(r -> r.contains("victim")));
    }

    private Reply submit(String login, String from, String to, String headerFrom, String marker) throws IOException {
        try (SmtpClient client = SmtpClient.connect("127.0.0.5", server.submissionPort)) {
            client.startTls("client.test");
            assertThat(client.authPlain(login, "secret").code).isEqualTo(235);
            return client.send(from, to, SmtpClient.message(headerFrom, to, "submit " + marker, marker));
        }
    }

    @Test
    void authenticatedUserRelaysOwnAddressAliasFromJamesCliAndGrant() throws Exception {
        String own = marker();
        String alias = marker();
        String grant = marker();
        assertThat(submit("alice@corp.example", "alice@corp.example", "r1@remote.example", "Alice <alice@corp.example>", own).code).isEqualTo(250);
        assertThat(submit("alice@corp.example", "sales@corp.example", "r2@remote.example", "sales@corp.example", alias).code).isEqualTo(250);
        assertThat(submit("alice@corp.example", "postmaster@corp.example", "r3@remote.example", "postmaster@corp.example", grant).code).isEqualTo(250);

        Received mail = sink.awaitContaining(own, DELIVERY);
        assertThat(mail.mailFrom).isEqualTo("alice@corp.example");
        assertThat(mail.content()).contains("X-Smarthost-Relay: rules=outbound.auth").doesNotContain("X-Smarthost-Relay: rules=outbound.auth,");
        assertThat(sink.awaitContaining(alias, DELIVERY).mailFrom).isEqualTo("sales@corp.example");
        assertThat(sink.awaitContaining(grant, DELIVERY).mailFrom).isEqualTo("postmaster@corp.example");
    }

    @Test
    void authenticatedUserCannotUseAnotherUsersAddressInMailFromOrFrom() throws Exception {
        String header = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.5", server.submissionPort)) {
            client.startTls("client.test");
            assertThat(client.authPlain("alice@corp.example", "secret").code).isEqualTo(235);
            Reply mail = client.mailFrom("bob@corp.example");
            assertThat(mail.code).isEqualTo(553);
            assertThat(mail.text).startsWith("5.7.1").contains("[rule sender.not-owned]");
            Reply data = client.send("alice@corp.example", "r4@remote.example",
                SmtpClient.message("Bob <bob@corp.example>", "r4@remote.example", "forged from", header));
            assertThat(data.code).as(data.toString()).isEqualTo(550);
            assertThat(data.text).startsWith("5.7.1").contains("[rule header.from-not-owned]");
            Reply spoofedTrace = client.send("alice@corp.example", "r5@remote.example",
                "X-Smarthost-Relay: rules=forged\r\n" + SmtpClient.message("alice@corp.example", "r5@remote.example", "trace", header + "-ok"));
            assertThat(spoofedTrace.code).isEqualTo(250);
        }
        Received ok = sink.awaitContaining(header + "-ok", DELIVERY);
        assertThat(ok.content()).contains("X-Smarthost-Relay: rules=outbound.auth").doesNotContain("rules=forged");
        assertThat(sink.received()).noneMatch(m -> m.recipients.contains("r4@remote.example"));
    }

    @Test
    void identityButNotOursIsRefusedWithItsOwnRule() throws Exception {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("app.test");
            assertThat(client.mailFrom("someone@outside.example").code).isEqualTo(250);
            Reply foreign = client.rcptTo("victim@remote.example");
            assertThat(foreign.code).isEqualTo(550);
            assertThat(foreign.text).startsWith("5.7.1").contains("[rule outbound.foreign-sender]");
        }
        try (SmtpClient client = SmtpClient.connect("127.0.0.5", server.submissionPort)) {
            client.startTls("client.test");
            assertThat(client.authPlain("bob@corp.example", "secret").code).isEqualTo(235);
            assertThat(client.mailFrom("").code).isEqualTo(250);
            Reply bounce = client.rcptTo("victim@remote.example");
            assertThat(bounce.code).isEqualTo(550);
            assertThat(bounce.text).startsWith("5.7.1").contains("[rule outbound.null-sender]");
        }
    }

    @Test
    void forwardAnAdminMappedToAnOutsideAddressIsRelayedForAnyone() throws Exception {
        String marker = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.3", server.smtpPort)) {
            client.ehlo("stranger.test");
            Reply reply = client.send("someone@outside.example", "fwd@corp.example",
                SmtpClient.message("someone@outside.example", "fwd@corp.example", "forward", marker));
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }
        Received mail = sink.awaitContaining(marker, DELIVERY);
        assertThat(mail.recipients).containsExactly("forwarded@remote.example");
    }

    @Test
    void relayDomainInboundFromAnyoneArrives() throws Exception {
        String marker = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.3", server.smtpPort)) {
            client.ehlo("partner-sender.test");
            Reply reply = client.send("someone@outside.example", "info@partner.example",
                SmtpClient.message("someone@outside.example", "info@partner.example", "inbound", marker));
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }
        // delivered to the next hop of the policy, not to the outbound relay host
        Received mail;
        try {
            mail = partnerMx.awaitContaining(marker, DELIVERY);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; partner port " + partnerMx.port() + "; relay host sink (port "
                + sink.port() + "): " + sink.received(), e);
        }
        assertThat(mail.recipients).containsExactly("info@partner.example");
        assertThat(mail.mailFrom).isEqualTo("someone@outside.example");
        assertThat(mail.content()).contains("X-Smarthost-Relay: rules=inbound.relay-domain");
        assertThat(sink.anyContaining(marker)).isFalse();
        // and nothing outbound ever went to the partner's next hop
        assertThat(partnerMx.received()).allMatch(m -> m.recipients.equals(List.of("info@partner.example")));
    }

    @Test
    void smtpAfterPopRelaysWithinTheWindowAsThatUserAndNotAfter() throws Exception {
        long loginAt = System.nanoTime();
        popLogin("127.0.0.4", "popper@corp.example", "secret");
        String marker = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.4", server.smtpPort)) {
            client.ehlo("pop-user.test");
            Reply other = client.mailFrom("alice@corp.example");
            assertThat(other.code).isEqualTo(553);
            assertThat(other.text).contains("[rule sender.not-owned]");
            Reply reply = client.send("popper@corp.example", "p1@remote.example",
                SmtpClient.message("popper@corp.example", "p1@remote.example", "after pop", marker));
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }
        CliResult list = server.smarthostCli("pop-auth", "list");
        assertThat(list.output).contains("127.0.0.4 popper@corp.example");
        assertThat(Duration.ofNanos(System.nanoTime() - loginAt)).isLessThan(Duration.ofSeconds(POP_WINDOW_SECONDS));
        assertThat(sink.awaitContaining(marker, DELIVERY).content()).contains("X-Smarthost-Relay: rules=outbound.pop-before-smtp");

        Thread.sleep(Math.max(0, Duration.ofSeconds(POP_WINDOW_SECONDS + 1).toMillis()
            - Duration.ofNanos(System.nanoTime() - loginAt).toMillis()));
        try (SmtpClient client = SmtpClient.connect("127.0.0.4", server.smtpPort)) {
            client.ehlo("pop-user.test");
            assertThat(client.mailFrom("popper@corp.example").code).isEqualTo(250);
            Reply late = client.rcptTo("p2@remote.example");
            assertThat(late.code).isEqualTo(550);
            assertThat(late.text).contains("[rule outbound.relay-denied]");
        }
        // a failed POP3 login opens nothing
        assertThat(popLoginReply("127.0.0.6", "popper@corp.example", "wrong")).startsWith("-ERR");
        try (SmtpClient client = SmtpClient.connect("127.0.0.6", server.smtpPort)) {
            client.ehlo("pop-user.test");
            client.mailFrom("popper@corp.example");
            assertThat(client.rcptTo("p3@remote.example").code).isEqualTo(550);
        }
    }

    private void popLogin(String local, String user, String password) throws Exception {
        String reply = popLoginReply(local, user, password);
        assertThat(reply).as("POP3 PASS").startsWith("+OK");
    }

    /** A real POP3 login over a raw socket; returns the answer to PASS. */
    private String popLoginReply(String local, String user, String password) throws Exception {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", server.pop3Port), 10_000);
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            assertThat(in.readLine()).startsWith("+OK");
            out.write(("USER " + user + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).startsWith("+OK");
            out.write(("PASS " + password + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String pass = in.readLine();
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return pass;
        }
    }

    @Test
    void quotasAnswer4xxAtTheLimitWithTheResetTime() throws Exception {
        try (SmtpClient client = SmtpClient.connect("127.0.0.5", server.submissionPort)) {
            client.startTls("client.test");
            assertThat(client.authPlain("quota@corp.example", "secret").code).isEqualTo(235);
            assertThat(client.mailFrom("quota@corp.example").code).isEqualTo(250);
            assertThat(client.rcptTo("q1@remote.example").code).isEqualTo(250);
            assertThat(client.rcptTo("q2@remote.example").code).isEqualTo(250);
            Reply third = client.rcptTo("q3@remote.example");
            assertThat(third.code).isEqualTo(452);
            assertThat(third.text).startsWith("4.7.1").contains("try again after")
                .contains("[rule quota.identity.recipients-per-hour]");
        }
        CliResult show = server.smarthostCli("quota", "show", "quota@corp.example");
        assertThat(show.output).as(show.toString()).contains("recipients 2/h");
        try (SmtpClient client = SmtpClient.connect("127.0.0.5", server.submissionPort)) {
            client.startTls("client.test");
            assertThat(client.authPlain("msgq@corp.example", "secret").code).isEqualTo(235);
            String first = marker();
            assertThat(client.send("msgq@corp.example", "m1@remote.example",
                SmtpClient.message("msgq@corp.example", "m1@remote.example", "first", first)).code).isEqualTo(250);
            Reply second = client.send("msgq@corp.example", "m2@remote.example",
                SmtpClient.message("msgq@corp.example", "m2@remote.example", "second", marker()));
            assertThat(second.code).isEqualTo(451);
            assertThat(second.text).startsWith("4.7.1").contains("try again after").contains("[rule quota.identity.messages-per-hour]");
            sink.awaitContaining(first, DELIVERY);
        }
        CliResult reset = server.smarthostCli("quota", "reset", "quota@corp.example");
        assertThat(reset.exitCode).as(reset.toString()).isZero();
        assertThat(reset.output).contains("counter(s) deleted");
        try (SmtpClient client = SmtpClient.connect("127.0.0.5", server.submissionPort)) {
            client.startTls("client.test");
            client.authPlain("quota@corp.example", "secret");
            client.mailFrom("quota@corp.example");
            assertThat(client.rcptTo("q4@remote.example").code).isEqualTo(250);
        }
    }

    @Test
    void relayCheckExplainsWithoutSending() throws Exception {
        CliResult refused = server.smarthostCli("relay", "check", "--client", "127.0.0.2", "--from", "alice@corp.example",
            "--to", "victim@remote.example");
        assertThat(refused.exitCode).as(refused.toString()).isEqualTo(5);
        assertThat(refused.output).contains("[rule outbound.relay-denied]").contains("verdict: NO RELAY");
        CliResult allowed = server.smarthostCli("relay", "check", "--client", "127.0.0.2", "--auth", "alice@corp.example",
            "--submission", "--from", "sales@corp.example", "--to", "victim@remote.example", "--header-from", "alice@corp.example");
        assertThat(allowed.exitCode).as(allowed.toString()).isZero();
        assertThat(allowed.output).contains("verdict: RELAY by rule outbound.auth");
        CliResult trick = server.smarthostCli("relay", "check", "--client", "127.0.0.1", "--from", "app@corp.example",
            "--to", "victim%remote.example@corp.example");
        assertThat(trick.exitCode).isEqualTo(5);
        assertThat(trick.output).contains("[rule addr.percent-hack]");
    }

    @Test
    void badPolicyEditIsRefusedAndTheLastGoodPolicyStays() throws Exception {
        Path file = server.home.resolve("conf/smarthost-policy.conf");
        try {
            Files.writeString(file, policy + "submission_requires_tls = maybe\n");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // a decision triggers the change check (at most every 2 s)
            while (!server.console().contains("relay policy NOT reloaded") && System.nanoTime() < deadline) {
                server.smarthostCli("relay", "check", "--client", "127.0.0.2", "--from", "a@corp.example", "--to", "info@partner.example");
                Thread.sleep(500);
            }
            assertThat(server.console()).contains("relay policy NOT reloaded").contains("submission_requires_tls").contains("maybe");
            CliResult still = server.smarthostCli("relay", "check", "--client", "127.0.0.2", "--from", "a@outside.example",
                "--to", "info@partner.example");
            assertThat(still.output).contains("RELAY by rule inbound.relay-domain");
        } finally {
            Files.writeString(file, policy);
        }
    }

    @Test
    void badPolicyFileStopsTheStartNamingKeyAndValue() throws Exception {
        SmarthostServer bad = SmarthostServer.create("relay-policy-bad", Map.of());
        writePolicy(bad, "trusted_networks = 10.0.0.0/33\n");
        try {
            bad.launch();
            assertThat(bad.awaitExit(Duration.ofSeconds(240))).as("exit status").hasValueSatisfying(code -> assertThat(code).isNotZero());
            assertThat(bad.console()).contains("trusted_networks").contains("10.0.0.0/33");
            for (int port : new int[] {bad.smtpPort, bad.submissionPort, bad.smtpsPort, bad.pop3Port}) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                    throw new AssertionError("port " + port + " accepts connections after a failed start");
                } catch (IOException expected) {
                    // nothing listens
                }
            }
        } finally {
            bad.kill();
        }
    }
}
