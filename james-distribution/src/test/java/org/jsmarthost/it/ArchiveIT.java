package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jsmarthost.it.SmarthostServer.CliResult;
import org.jsmarthost.it.SmtpSink.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The journal archive through the distribution: the shipped conf (received capture at the start of transport,
 * sent capture at relay stage 5), smarthost-cli archive over JMX, tampering with the files of a stopped
 * server, and an archive that cannot be written while mail arrives. Only change to the shipped conf: the
 * retry delay is 2 s instead of 60 s (an admin's edit of conf/mailetcontainer.xml, kept by the launcher).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchiveIT {
    private static final Duration DELIVERY = Duration.ofSeconds(120);
    private static final Duration START = Duration.ofMinutes(10);

    private SmtpSink sink;
    private SmarthostServer server;
    private Path archive;

    @BeforeAll
    void start() throws Exception {
        sink = SmtpSink.start();
        server = SmarthostServer.create("archive", Map.of("SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port())).senderDomains("corp.example");
        String conf = Files.readString(server.dist.resolve("conf/mailetcontainer.xml"));
        assertThat(conf).contains("<retryDelay>60s</retryDelay>");
        Files.createDirectories(server.home.resolve("conf"));
        Files.writeString(server.home.resolve("conf/mailetcontainer.xml"), conf.replace("<retryDelay>60s</retryDelay>", "<retryDelay>2s</retryDelay>"));
        server.start(START);
        archive = server.home.resolve("var/archive");
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

    private CliResult cli(String... args) throws Exception {
        CliResult r = server.smarthostCli(args);
        return r;
    }

    /** Entry lines of an 'archive search' (id first). */
    private List<String> search(String... query) throws Exception {
        List<String> args = new ArrayList<>(List.of("archive", "search"));
        args.addAll(Arrays.asList(query));
        CliResult r = cli(args.toArray(new String[0]));
        assertThat(r.exitCode).as(r.toString()).isZero();
        return r.output.lines().filter(l -> l.matches("[0-9a-f]{32}  .*")).collect(Collectors.toList());
    }

    private static String message(String from, String subject, String marker) {
        return "From: " + from + "\r\n"
            + "To: bob@remote.example\r\n"
            + "Cc: carol@remote.example\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: <" + marker + "@corp.example>\r\n"
            + "Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n"
            + "\r\n"
            + "Hello,\r\n" + marker + "\r\n..a line starting with a dot\r\n";
    }

    private void sendToThree(String marker, String message) throws Exception {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            assertThat(client.ehlo("app.client.test").code).isEqualTo(250);
            assertThat(client.mailFrom("app@corp.example").code).isEqualTo(250);
            assertThat(client.rcptTo("bob@remote.example").code).isEqualTo(250);
            assertThat(client.rcptTo("carol@remote.example").code).isEqualTo(250);
            assertThat(client.rcptTo("dave-bcc@remote.example").code).isEqualTo(250);
            SmtpClient.Reply reply = client.data(message);
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }
    }

    @Test
    @Order(1)
    void messageToThreeRecipientsOneBccIsArchivedOnceWithItsEnvelopeAndFoundByEachRecipient() throws Exception {
        String marker = "arch-" + UUID.randomUUID();
        String sent = message("App <app@corp.example>", "Quartalszahlen =?UTF-8?Q?f=C3=BCr?= Q4", marker);
        sendToThree(marker, sent);
        Received delivered = sink.awaitContaining(marker, DELIVERY);
        assertThat(delivered.recipients).containsExactlyInAnyOrder("bob@remote.example", "carol@remote.example", "dave-bcc@remote.example");

        for (String rcpt : List.of("bob@remote.example", "carol@remote.example", "dave-bcc@remote.example")) {
            List<String> received = search("--to", rcpt, "--message-id", marker + "@corp.example", "--capture", "received");
            assertThat(received).as(rcpt).hasSize(1);
            assertThat(search("--to", rcpt, "--message-id", marker + "@corp.example")).as(rcpt).hasSize(2);
        }
        String receivedId = search("--message-id", "<" + marker + "@corp.example>", "--capture", "received").get(0).substring(0, 32);
        String sentId = search("--message-id", "<" + marker + "@corp.example>", "--capture", "sent").get(0).substring(0, 32);

        CliResult show = cli("archive", "show", receivedId);
        assertThat(show.exitCode).as(show.toString()).isZero();
        assertThat(show.output).contains("MAIL FROM:      <app@corp.example>")
            .contains("RCPT TO:        <bob@remote.example>").contains("RCPT TO:        <carol@remote.example>")
            .contains("RCPT TO:        <dave-bcc@remote.example>")
            .contains("Client IP:      127.0.0.1").contains("HELO:           app.client.test")
            .contains("Subject:        Quartalszahlen für Q4")
            .contains("Linked:         " + sentId + " (sent)");
        assertThat(search("--subject", "quartalszahlen für")).hasSize(2);
        assertThat(search("--from", "app@corp.example", "--since", "2020-01-01", "--message-id", marker + "@corp.example")).hasSize(2);

        // byte-identical: the as-received capture is James's Received: header followed by exactly the DATA the client sent
        Path out = server.home.resolve("export-" + marker);
        CliResult export = cli("archive", "export", "--eml", out.toString(), "--message-id", marker + "@corp.example", "--capture", "received");
        assertThat(export.exitCode).as(export.toString()).isZero();
        List<Path> files;
        try (Stream<Path> list = Files.list(out)) {
            files = list.collect(Collectors.toList());
        }
        assertThat(files).hasSize(1);
        byte[] archived = Files.readAllBytes(files.get(0));
        // what SmtpClient.data puts on the wire (after the server removed the dot-stuffing): each line + CRLF
        byte[] clientData = (String.join("\r\n", sent.split("\r\n", -1)) + "\r\n").getBytes(StandardCharsets.UTF_8);
        String prefix = new String(archived, 0, archived.length - clientData.length, StandardCharsets.UTF_8);
        assertThat(Arrays.copyOfRange(archived, archived.length - clientData.length, archived.length)).isEqualTo(clientData);
        assertThat(prefix).startsWith("Received: from ").contains("EHLO app.client.test").matches("(?s)(Received:[^\r\n]*\r\n([ \t][^\r\n]*\r\n)*)+");

        // the as-sent capture is what the upstream got
        Path mbox = server.home.resolve("export-" + marker + ".mbox");
        CliResult exportSent = cli("archive", "export", "--mbox", mbox.toString(), "--message-id", marker + "@corp.example", "--capture", "sent");
        assertThat(exportSent.exitCode).as(exportSent.toString()).isZero();
        assertThat(exportSent.output).contains("1 message(s) written");
        String mboxText = Files.readString(mbox);
        assertThat(mboxText).startsWith("From app@corp.example ").contains(marker)
            .contains("\n...a line starting with a dot".replace("...", ".."));
        assertThat(delivered.content().replace("\r\n", "\n").replaceAll("\n+$", ""))
            .isEqualTo(mboxText.substring(mboxText.indexOf('\n') + 1).replaceAll("\n+$", "").replace("\n>From ", "\nFrom "));

        CliResult verify = cli("archive", "verify");
        assertThat(verify.exitCode).as(verify.toString()).isZero();
        assertThat(verify.output).contains("archive verify: OK");
    }

    @Test
    @Order(2)
    void whileTheArchiveIsUnwritableNothingIsRelayedAndOnceWritableItIsArchivedAndRelayedOnce() throws Exception {
        // root runs the tests, so permissions do not stop it: put a file where the content directory is
        Path content = archive.resolve("content");
        Path moved = archive.resolve("content.moved");
        Files.move(content, moved);
        Files.writeString(content, "the archive content directory is gone");
        String marker = "unwritable-" + UUID.randomUUID();
        try {
            sendToThree(marker, message("app@corp.example", "while unwritable", marker));
            server.awaitLog("archive: mail ", Duration.ofSeconds(30));
            server.awaitLog("NOT archived (received)", Duration.ofSeconds(30));
            // further retries fail meanwhile (2 s apart, plus the queue's polling of delayed mail: up to 10 s)
            server.awaitLog("held back, retry 3 in PT2S via processor 'archive-retry'", Duration.ofSeconds(90));
            assertThat(sink.anyContaining(marker)).as("relayed unarchived").isFalse();
        } finally {
            Files.delete(content);
            Files.move(moved, content);
        }
        Received delivered = sink.awaitContaining(marker, DELIVERY);
        assertThat(delivered.recipients).hasSize(3);
        List<String> entries = search("--message-id", marker + "@corp.example");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0)).contains("  received  ");
        assertThat(entries.get(1)).contains("  sent  ");
        Thread.sleep(3000);
        assertThat(sink.received().stream().filter(m -> m.content().contains(marker)).count()).as("relayed once").isEqualTo(1);
        assertThat(search("--message-id", marker + "@corp.example")).hasSize(2);
        assertThat(cli("archive", "verify").exitCode).isZero();
    }

    @Test
    @Order(3)
    void holdsAndPurgeThroughTheCli() throws Exception {
        CliResult add = cli("archive", "hold", "add", "CASE-42", "--reason", "litigation 42", "--from", "app@corp.example");
        assertThat(add.exitCode).as(add.toString()).isZero();
        assertThat(add.output).contains("hold CASE-42 added");
        CliResult list = cli("archive", "hold", "list");
        assertThat(list.output).contains("CASE-42").contains("litigation 42").contains("1 active hold(s)");
        CliResult purge = cli("archive", "purge", "--dry-run");
        assertThat(purge.exitCode).as(purge.toString()).isZero();
        assertThat(purge.output).contains("dry run: would purge 0 expired entries");
        CliResult remove = cli("archive", "hold", "remove", "CASE-42", "--reason", "settled");
        assertThat(remove.exitCode).as(remove.toString()).isZero();
        assertThat(cli("archive", "hold", "list").output).contains("0 active hold(s)");
        assertThat(cli("archive", "verify").exitCode).isZero();
    }

    /** Tampering with the files of the stopped server; each case on a fresh copy, then verify on the restarted server. */
    @Test
    @Order(4)
    void everyKindOfTamperingIsReportedByVerifyWithTheFirstBrokenLink() throws Exception {
        server.stop();
        Path pristine = server.home.resolve("archive-pristine");
        copy(archive, pristine);
        List<String> lines = Files.readAllLines(archive.resolve("index/chain.log"));
        assertThat(lines.size()).isGreaterThanOrEqualTo(6);
        List<String> report = new ArrayList<>();

        report.add(tamperAndVerify(pristine, "flipped byte in a stored message", "record 0: CONTENT_CHANGED", a -> {
            Path f = a.resolve("content").resolve(field(lines.get(0), "key"));
            byte[] b = Files.readAllBytes(f);
            b[b.length / 2] ^= 0x01;
            Files.write(f, b);
        }));
        report.add(tamperAndVerify(pristine, "flipped byte in an index record", "record 1: RECORD_CHANGED", a -> {
            List<String> l = new ArrayList<>(lines);
            String r = l.get(1);
            int i = r.indexOf("size=") + 5;
            l.set(1, r.substring(0, i) + (char) (r.charAt(i) == '9' ? '8' : r.charAt(i) + 1) + r.substring(i + 1));
            Files.write(a.resolve("index/chain.log"), (String.join("\n", l) + "\n").getBytes(StandardCharsets.UTF_8));
        }));
        report.add(tamperAndVerify(pristine, "deleted stored message", "record 2: CONTENT_MISSING", a ->
            Files.delete(a.resolve("content").resolve(field(lines.get(2), "key")))));
        report.add(tamperAndVerify(pristine, "deleted index record", "record 1: RECORD_REMOVED", a -> {
            List<String> l = new ArrayList<>(lines);
            l.remove(1);
            Files.write(a.resolve("index/chain.log"), (String.join("\n", l) + "\n").getBytes(StandardCharsets.UTF_8));
        }));
        report.add(tamperAndVerify(pristine, "two index records swapped", "record 1: RECORDS_REORDERED", a -> {
            List<String> l = new ArrayList<>(lines);
            l.set(1, lines.get(2));
            l.set(2, lines.get(1));
            Files.write(a.resolve("index/chain.log"), (String.join("\n", l) + "\n").getBytes(StandardCharsets.UTF_8));
        }));
        System.out.println("ArchiveIT tampering report:\n" + String.join("\n", report));

        // the untouched copy still verifies
        restore(pristine);
        server.start(START);
        assertThat(cli("archive", "verify").exitCode).isZero();
    }

    interface Tamper {
        void apply(Path archiveDir) throws IOException;
    }

    private String tamperAndVerify(Path pristine, String what, String expected, Tamper tamper) throws Exception {
        restore(pristine);
        tamper.apply(archive);
        server.start(START);
        try {
            CliResult verify = cli("archive", "verify");
            assertThat(verify.exitCode).as(what + ": " + verify).isEqualTo(1);
            assertThat(verify.output).as(what).contains("FIRST BROKEN LINK: " + expected).contains("archive verify FAILED");
            return what + " -> " + verify.output.lines().filter(l -> l.startsWith("FIRST")).findFirst().orElse("?");
        } finally {
            server.stop();
        }
    }

    private static String field(String record, String name) {
        for (String f : record.split("\t")) {
            if (f.startsWith(name + "=")) {
                return f.substring(name.length() + 1);
            }
        }
        throw new AssertionError("no " + name + " in " + record);
    }

    private void restore(Path pristine) throws IOException {
        SmarthostServer.deleteRecursively(archive);
        copy(pristine, archive);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
