package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.jsmarthost.it.SmarthostServer.CliResult;
import org.jsmarthost.it.SmtpClient.Reply;
import org.jsmarthost.it.SmtpSink.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Address rewriting and SRS through the running distribution: the shipped conf/ with a domain-move rule in the
 * home's conf/rewrite.table, an RRT forward made with the stock james-cli, bounces on the MX port from an
 * untrusted client, and the real Mail::SRS (perl, libmail-srs-perl) reading the server's conf/srs.secrets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RewriteSrsIT {
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final String SRS_DOMAIN = "smarthost.test"; // the HELO name SmarthostServer sets

    private static final String RULES = String.join("\n",
        "# domain move, as an admin would write it",
        "@old.example  @new.example  apply=envelope-sender,sender-headers dir=out id=rename",
        "");

    private SmtpSink sink;
    private SmarthostServer server;

    @BeforeAll
    void start() throws Exception {
        sink = SmtpSink.start();
        server = SmarthostServer.create("rewrite-srs", Map.of("SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port()));
        Files.createDirectories(server.home.resolve("conf"));
        Files.writeString(server.home.resolve("conf/rewrite.table"), RULES);
        server.start();
        CliResult domain = server.jamesCli("AddDomain", "corp.example");
        assertThat(domain.exitCode).as(domain.toString()).isZero();
        CliResult mapping = server.jamesCli("AddAddressMapping", "info", "corp.example", "partner@dest.example");
        assertThat(mapping.exitCode).as(mapping.toString()).isZero();
        CliResult user = server.jamesCli("AddUser", "alice@corp.example", "secret");
        assertThat(user.exitCode).as(user.toString()).isZero();
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

    // ------------------------------------------------------------------ (a) domain move

    @Test
    void domainMoveRewritesEnvelopeSenderFromAndReplyToKeepingNamesEncodedWordsAndGroups() throws Exception {
        String marker = marker();
        String message = "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@old.example>, \"Doe, Jane\" <jane@old.example>\r\n"
            + "Reply-To: sales team: joerg@old.example (Joerg), Other <other@elsewhere.example>;\r\n"
            + "To: bob@remote.example, Ann <ann@old.example>\r\n"
            + "Cc: undisclosed-recipients:;\r\n"
            + "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgZGVtIGFsdGVuIEJ1ZXJv?=\r\n"
            + "Message-ID: <" + marker + "@old.example>\r\n"
            + "Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n"
            + "\r\n"
            + "Body keeps joerg@old.example as written.\r\n" + marker + "\r\n";
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("app.test");
            Reply reply = client.send("joerg@old.example", "bob@remote.example", message);
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }

        Received mail = sink.awaitContaining(marker, DELIVERY);
        assertThat(mail.mailFrom).isEqualTo("joerg@new.example");
        assertThat(mail.recipients).containsExactly("bob@remote.example");
        // the changed headers stay where they were (after the Received line James added), byte for byte but
        // for the addresses meant to change
        assertThat(mail.content()).containsSubsequence("Received: ", "\r\n"
            + "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@new.example>, \"Doe, Jane\" <jane@new.example>\r\n"
            + "Reply-To: sales team: joerg@new.example (Joerg), Other <other@elsewhere.example>;\r\n"
            + "To: bob@remote.example, Ann <ann@old.example>\r\n"
            + "Cc: undisclosed-recipients:;\r\n"
            + "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgZGVtIGFsdGVuIEJ1ZXJv?=\r\n")
            .contains("Message-ID: <" + marker + "@old.example>")
            .contains("Body keeps joerg@old.example as written.");
    }

    @Test
    void mailOfOtherDomainsIsNotRewritten() throws Exception {
        String marker = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("app.test");
            assertThat(client.send("app@corp.example", "dave@remote.example",
                SmtpClient.message("App <app@corp.example>", "dave@remote.example", "untouched", marker)).code).isEqualTo(250);
        }

        Received mail = sink.awaitContaining(marker, DELIVERY);
        assertThat(mail.mailFrom).isEqualTo("app@corp.example");
        assertThat(mail.content()).contains("From: App <app@corp.example>\r\n");
    }

    @Test
    void rewriteTestShowsTheRulesOfTheRunningServer() throws Exception {
        CliResult out = server.smarthostCli("rewrite", "test", "--from", "joerg@old.example", "--to", "bob@remote.example");
        CliResult in = server.smarthostCli("rewrite", "test", "--from", "joerg@old.example", "--to", "bob@remote.example",
            "--direction", "in");

        assertThat(out.exitCode).as(out.toString()).isZero();
        assertThat(out.output).contains("conf/rewrite.table (1 rules)")
            .contains("envelope-sender     joerg@old.example -> joerg@new.example  (rule rename)")
            .contains("From:               joerg@old.example -> joerg@new.example  (rule rename)")
            .contains("envelope-recipient  bob@remote.example  unchanged");
        assertThat(in.exitCode).isZero();
        assertThat(in.output).contains("envelope-sender     joerg@old.example  unchanged");
    }

    // ------------------------------------------------------------------ (b) forward with SRS and its bounce

    /** Sends from an outside sender to the forwarded local address; returns what left the server. */
    private Received forwardedMail(String sender) throws Exception {
        String marker = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.2", server.smtpPort)) {
            client.ehlo("outside.example");
            Reply reply = client.send(sender, "info@corp.example",
                SmtpClient.message(sender, "info@corp.example", "to be forwarded", marker));
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }
        return sink.awaitContaining(marker, DELIVERY);
    }

    private Reply bounceTo(String clientAddress, String srsAddress, String marker) throws IOException {
        try (SmtpClient client = SmtpClient.connect(clientAddress, server.smtpPort)) {
            client.ehlo("mx.dest.example");
            assertThat(client.mailFrom("").code).isEqualTo(250);
            Reply rcpt = client.rcptTo(srsAddress);
            if (rcpt.code != 250) {
                return rcpt;
            }
            return client.data("From: MAILER-DAEMON@dest.example\r\nTo: " + srsAddress + "\r\n"
                + "Subject: Undelivered Mail Returned to Sender\r\n\r\nbounce " + marker + "\r\n");
        }
    }

    @Test
    void aForwardedMailLeavesWithAnSrsSenderAndItsBounceReachesTheOriginalSender() throws Exception {
        Received forwarded = forwardedMail("alice@outside.example");
        assertThat(forwarded.recipients).containsExactly("partner@dest.example");
        assertThat(forwarded.mailFrom)
            .matches("SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=outside\\.example=alice@" + SRS_DOMAIN.replace(".", "\\."));

        String marker = marker();
        Reply reply = bounceTo("127.0.0.3", forwarded.mailFrom, marker);
        assertThat(reply.code).as(reply.toString()).isEqualTo(250);

        Received bounce = sink.awaitContaining(marker, DELIVERY);
        assertThat(bounce.recipients).containsExactly("alice@outside.example");
        assertThat(bounce.mailFrom).isEmpty();
        assertThat(bounce.content()).contains("Subject: Undelivered Mail Returned to Sender");
    }

    @Test
    void forgedAndExpiredSrsAddressesAreRefusedAtRcptAndNothingIsRelayed() throws Exception {
        Received forwarded = forwardedMail("erin@outside.example");
        String hash = forwarded.mailFrom.substring(5, 9);
        String forged = forwarded.mailFrom.replace("SRS0=" + hash, "SRS0=" + (hash.equals("AAAA") ? "BBBB" : "AAAA"));
        String forgedMarker = marker();

        Reply forgedReply = bounceTo("127.0.0.4", forged, forgedMarker);
        assertThat(forgedReply.code).as(forgedReply.toString()).isEqualTo(550);
        assertThat(forgedReply.text).startsWith("5.7.1").contains("forged SRS address");

        long thirtyDaysAgo = System.currentTimeMillis() / 1000 - 30L * 86400;
        String expired = mailSrs(thirtyDaysAgo, "forward", "erin@outside.example", SRS_DOMAIN);
        String expiredMarker = marker();
        Reply expiredReply = bounceTo("127.0.0.4", expired, expiredMarker);
        assertThat(expiredReply.code).as(expiredReply.toString()).isEqualTo(550);
        assertThat(expiredReply.text).startsWith("5.1.1").contains("expired SRS address");

        CliResult cli = server.smarthostCli("srs", "reverse", forged);
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.output).contains("BAD_HASH");

        // positive control: a valid bounce sent afterwards arrives; the refused ones had their chance too
        String control = marker();
        assertThat(bounceTo("127.0.0.4", forwarded.mailFrom, control).code).isEqualTo(250);
        sink.awaitContaining(control, DELIVERY);
        assertThat(sink.anyContaining(forgedMarker)).isFalse();
        assertThat(sink.anyContaining(expiredMarker)).isFalse();
    }

    @Test
    void aForgedSrsRecipientFromAnAuthenticatedUserGoesToRelayDeniedNotOut() throws Exception {
        Received forwarded = forwardedMail("ivan@outside.example");
        String forged = forwarded.mailFrom.replaceFirst("SRS0=....", "SRS0=ZZZZ");
        String marker = marker();
        try (SmtpClient client = SmtpClient.connect("127.0.0.6", server.submissionPort)) {
            client.startTls("client.test");
            assertThat(client.authPlain("alice@corp.example", "secret").code).isEqualTo(235);
            Reply reply = client.send("alice@corp.example", forged,
                SmtpClient.message("alice@corp.example", forged, "to a forged SRS address", marker));
            assertThat(reply.code).as("no hook on submission: accepted, then held by ReverseSrs").isEqualTo(250);
        }

        java.nio.file.Path denied = server.home.resolve("var/mail/relay-denied");
        long deadline = System.nanoTime() + DELIVERY.toNanos();
        boolean recorded = false;
        while (!recorded && System.nanoTime() < deadline) {
            Thread.sleep(200);
            if (Files.isDirectory(denied)) {
                try (var files = Files.list(denied)) {
                    recorded = files.anyMatch(f -> {
                        try {
                            return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(marker);
                        } catch (IOException e) {
                            return false;
                        }
                    });
                }
            }
        }
        assertThat(recorded).as("the mail is recorded in var/mail/relay-denied").isTrue();
        assertThat(sink.anyContaining(marker)).isFalse();
        assertThat(server.console()).contains("invalid SRS recipient " + forged + ": BAD_HASH");
    }

    // ------------------------------------------------------------------ (c) interop with Mail::SRS

    @Test
    void mailSrsWithTheServersSecretReversesTheServersAddressesAndTheServerAcceptsItsAddresses() throws Exception {
        Received forwarded = forwardedMail("frank@outside.example");
        long now = System.currentTimeMillis() / 1000;

        assertThat(mailSrs(now, "reverse", forwarded.mailFrom, "")).isEqualTo("frank@outside.example");

        CliResult cli = server.smarthostCli("srs", "forward", "grace@far.example");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        String cliAddress = cli.output.lines().findFirst().orElseThrow();
        assertThat(mailSrs(now, "reverse", cliAddress, "")).isEqualTo("grace@far.example");

        String theirs = mailSrs(now, "forward", "heidi@far.example", SRS_DOMAIN);
        CliResult reverse = server.smarthostCli("srs", "reverse", theirs);
        assertThat(reverse.exitCode).as(reverse.toString()).isZero();
        assertThat(reverse.output).startsWith("heidi@far.example");

        String marker = marker();
        assertThat(bounceTo("127.0.0.5", theirs, marker).code).isEqualTo(250);
        assertThat(sink.awaitContaining(marker, DELIVERY).recipients).containsExactly("heidi@far.example");
    }

    /** The server's secrets, as an admin reads them: conf/srs.secrets of the home, comments skipped. */
    private List<String> secrets() throws IOException {
        return Files.readAllLines(server.home.resolve("conf/srs.secrets"), StandardCharsets.UTF_8).stream()
            .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
    }

    /** One Mail::SRS (Guarded, libmail-srs-perl) operation at a given time, with the server's secrets. */
    private String mailSrs(long epochSecond, String op, String address, String alias) throws Exception {
        String script = String.join("\n",
            "BEGIN { $main::T = $ENV{SRS_TIME}; *CORE::GLOBAL::time = sub () { $main::T }; }",
            "use strict; use warnings; require Mail::SRS;",
            "my @secrets = split /\\n/, $ENV{SRS_SECRETS};",
            "my $srs = Mail::SRS->new(Secret => \\@secrets, MaxAge => 21, HashLength => 4);",
            "my ($op, $addr, $alias) = @ARGV;",
            "print($op eq 'forward' ? $srs->forward($addr, $alias) : $srs->reverse($addr));");
        ProcessBuilder pb = new ProcessBuilder("perl", "-e", script, op, address, alias);
        pb.environment().put("SRS_TIME", Long.toString(epochSecond));
        pb.environment().put("SRS_SECRETS", String.join("\n", secrets()));
        pb.redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("perl is not installed: apt-get install -y libmail-srs-perl", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("Mail::SRS " + op + " " + address + ": " + output
            + " (needs: apt-get install -y libmail-srs-perl)").isZero();
        return output;
    }
}
