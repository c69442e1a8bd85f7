package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A mailet that runs out of heap must fail or degrade that one mail, never leave it hanging: James 3.8.1 catches
 * only {@code Exception} around a mailet, so an {@link OutOfMemoryError} escaping one would keep the mail in
 * flight (undelivered until a restart) and hold a spool thread for good.
 *
 * <p>Real conditions: the shipped conf on a 128 MB heap, the rule's {@code max-edit-size} raised to its maximum
 * (64M), and a 48 MiB UTF-8 text body. Changing it in place does not fit: the disclaimer falls back to a part of
 * its own (the body copied by byte ranges). The mail is then multipart, and once its header changed James's
 * container calls javax.mail's {@code saveChanges()} before writing it (for the archive, the queue), which parses
 * a multipart message in the heap: in 128 MB that may or may not fit (seen: the archive's capture ran out of
 * memory, its {@code onFailure=retry} held the mail back a minute and archived it on the retry). So the mail must
 * end either at the sink (disclaimer as a second part, body byte-identical, archived) or held in
 * {@code var/mail/error} with a reason naming it; no error may reach James, and the next mail goes through.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutOfMemoryIT {
    private static final Duration DELIVERY = Duration.ofSeconds(180);
    private static final int BODY_BYTES = 48 * 1024 * 1024;

    private SmtpSink sink;
    private SmarthostServer server;

    @BeforeAll
    void start() throws Exception {
        sink = SmtpSink.start();
        server = SmarthostServer.create("out-of-memory", Map.of(
            "SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port(),
            "SMARTHOST_JAVA_OPTS", "-Xms64m -Xmx128m -XX:TieredStopAtLevel=1"));
        Path disclaimer = Files.createDirectories(server.home.resolve("conf/disclaimer"));
        String shipped = Files.readString(server.dist.resolve("conf/disclaimer/rules.conf"), StandardCharsets.UTF_8);
        String rules = shipped.replace("\n*     template=default\n", "\n*     template=default max-edit-size=64M\n");
        assertThat(rules).isNotEqualTo(shipped);
        Files.writeString(disclaimer.resolve("rules.conf"), rules, StandardCharsets.UTF_8);
        server.start();
        SmarthostServer.CliResult domain = server.jamesCli("AddDomain", "example.com");
        assertThat(domain.exitCode).as(domain.toString()).isZero();
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

    @Test
    void aMailTooLargeForThisHeapIsDeliveredOrHeldWithItsReasonNeverLeftInFlight() throws Exception {
        byte[] body = body();
        byte[] message = concat(("From: Zoe <zoe@example.com>\r\nTo: bob@partner.test\r\nSubject: large text\r\n"
            + "Message-ID: <large-text@example.com>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII), body);
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("app.test");
            assertThat(client.mailFrom("zoe@example.com").code).isEqualTo(250);
            assertThat(client.rcptTo("bob@partner.test").code).isEqualTo(250);
            assertThat(client.data(message).code).isEqualTo(250);
        }
        // the mail ends somewhere within the time limit: at the sink, or held with its reason
        Path errors = server.home.resolve("var/mail/error");
        long deadline = System.nanoTime() + DELIVERY.toNanos();
        SmtpSink.Received large = null;
        Path held = null;
        while (large == null && held == null && System.nanoTime() < deadline) {
            large = sink.received().stream().filter(r -> r.recipients.contains("bob@partner.test")).findFirst().orElse(null);
            held = large == null ? RepositoryFiles.findContaining(errors, ascii("out of memory while processing mail")) : null;
            if (large == null && held == null) {
                Thread.sleep(500);
            }
        }
        String console = server.console();
        assertThat(large != null || held != null)
            .as("delivered or held in %s within %s; console (end):%n%s", errors, DELIVERY,
                console.substring(Math.max(0, console.length() - 8000)))
            .isTrue();
        assertThat(console).as("a pack mailet ran out of memory and handled it").contains("out of memory while");
        assertThat(console).as("no OutOfMemoryError escaped to James (Reactor logs those)")
            .doesNotContain("throwIfFatal detected a jvm fatal exception");

        if (large != null) {
            // the disclaimer fell back to a part of its own: the body byte-identical in the first part
            assertThat(console).contains("disclaimer: out of memory while changing the text of mail").contains("disclaimer added-part");
            MimeMessage delivered = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(large.data));
            assertThat(delivered.getContentType()).startsWith("multipart/mixed");
            MimeMultipart parts = (MimeMultipart) delivered.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            byte[] first;
            try (InputStream raw = ((MimeBodyPart) parts.getBodyPart(0)).getRawInputStream()) {
                first = raw.readAllBytes();
            }
            assertThat(sha256(first)).as("the text body is byte-identical").isEqualTo(sha256(body));
            assertThat((String) parts.getBodyPart(1).getContent()).contains("If you are not the intended recipient");
            assertThat(delivered.getHeader("X-Smarthost-Relay")).as("the relay trace").isNotEmpty();
            assertThat(server.console()).as("archived on the way out (on retry, if the archive ran out of memory)")
                .containsPattern("archive: mail Mail[^ ]+ archived as sent \\([^,]+, [0-9]{8} bytes");
        } else {
            // held unchanged (its body is in the repository) with a reason naming the mail, its size and the heap
            assertThat(new String(Files.readAllBytes(held), StandardCharsets.ISO_8859_1))
                .containsPattern("out of memory while processing mail Mail[^ ]+ \\([0-9]+ bytes, heap limit [0-9]+ MiB\\)");
            assertThat(RepositoryFiles.findContaining(errors, ascii("Line 0901234 of a large report"))).as("the held message").isNotNull();
            assertThat(sink.received()).noneMatch(r -> r.recipients.contains("bob@partner.test"));
        }

        // the spool is not stuck: an ordinary mail is changed in place and delivered
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("app.test");
            assertThat(client.send("zoe@example.com", "carol@partner.test",
                SmtpClient.message("zoe@example.com", "carol@partner.test", "small", "Hello Carol")).code).isEqualTo(250);
        }
        SmtpSink.Received small = delivered("carol@partner.test");
        assertThat(small.content()).contains("Hello Carol").contains("If you are not the intended recipient");
        assertThat(server.console()).contains("disclaimer inserted");
    }

    /** 48 MiB of CRLF lines, each with one non-ASCII letter (so the decoded text is UTF-16 in the JVM). */
    private static byte[] body() {
        byte[] line = "Line 0000000 of a large report, caf\u00e9 and more words to fill the line up......\r\n"
            .getBytes(StandardCharsets.UTF_8);
        int lines = BODY_BYTES / line.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(lines * line.length);
        for (int i = 0; i < lines; i++) {
            byte[] number = String.format("%07d", i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(number, 0, line, 5, number.length);
            out.write(line, 0, line.length);
        }
        return out.toByteArray();
    }

    /** The first mail at the sink for {@code recipient}; on time-out the failure shows the server's console. */
    private SmtpSink.Received delivered(String recipient) throws Exception {
        try {
            return sink.await(r -> r.recipients.contains(recipient), DELIVERY);
        } catch (AssertionError e) {
            String console = server.console();
            throw new AssertionError(e.getMessage() + "\nconsole (end):\n"
                + console.substring(Math.max(0, console.length() - 8000)), e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String sha256(byte[] data) throws Exception {
        return java.util.Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
