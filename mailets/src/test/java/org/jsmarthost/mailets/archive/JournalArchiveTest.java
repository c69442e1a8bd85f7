package org.jsmarthost.mailets.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jsmarthost.core.archive.ArchiveEntry;
import org.jsmarthost.core.archive.ArchiveStore;
import org.jsmarthost.core.archive.CapturePoint;
import org.jsmarthost.core.archive.Query;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalArchiveTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);
    static final String RAW = "Received: from client.test ([192.0.2.7]) by smarthost.test\r\n"
        + "From: Alice <alice@corp.example>\r\n"
        + "To: bob@remote.example\r\n"
        + "Message-ID: <m1@corp.example>\r\n"
        + "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= report\r\n"
        + "\r\n"
        + "Hello Bob,\r\nthe numbers.\r\n";

    @TempDir
    Path tmp;
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final List<org.apache.mailet.Mailet> mailets = new ArrayList<>();
    private final FakeMailContext context = FakeMailContext.defaultContext();

    @AfterEach
    void destroy() {
        mailets.forEach(org.apache.mailet.Mailet::destroy);
    }

    private JournalArchive mailet(String... params) throws MessagingException {
        FakeMailetConfig.Builder c = FakeMailetConfig.builder().mailetName("journal").mailetContext(context)
            .setProperty("root", tmp.resolve("archive").toString())
            .setProperty("retentionFile", tmp.resolve("retention.conf").toString());
        for (int i = 0; i < params.length; i += 2) {
            c.setProperty(params[i], params[i + 1]);
        }
        JournalArchive m = new JournalArchive(metrics, CLOCK);
        m.init(c.build());
        mailets.add(m);
        return m;
    }

    private JournalArchiveRetry retryMailet() throws MessagingException {
        JournalArchiveRetry m = new JournalArchiveRetry(metrics, CLOCK);
        m.init(FakeMailetConfig.builder().mailetName("retry").mailetContext(context)
            .setProperty("root", tmp.resolve("archive").toString())
            .setProperty("retentionFile", tmp.resolve("retention.conf").toString()).build());
        mailets.add(m);
        return m;
    }

    static MimeMessage message(String raw) throws MessagingException {
        return new MimeMessage(Session.getDefaultInstance(new Properties()), new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    }

    private FakeMail mail(String name) throws MessagingException {
        return FakeMail.builder().name(name).sender("alice@corp.example")
            .recipients("bob@remote.example", "carol@remote.example", "hidden@bcc.example")
            .mimeMessage(message(RAW)).remoteAddr("192.0.2.7").state("transport")
            .lastUpdated(Date.from(Instant.parse("2026-11-28T09:59:58Z")))
            .attribute(new Attribute(Mail.SMTP_HELO, AttributeValue.of("client.test")))
            .attribute(new Attribute(Mail.SMTP_AUTH_USER, AttributeValue.of("alice@corp.example")))
            .attribute(new Attribute(AttributeName.of("org.jsmarthost.relay.decision"), AttributeValue.of("relay")))
            .attribute(new Attribute(AttributeName.of("org.jsmarthost.relay.rules"), AttributeValue.of("corp-auth")))
            .attribute(new Attribute(AttributeName.of("org.jsmarthost.dkim.signed"), AttributeValue.of("corp.example")))
            .attribute(new Attribute(AttributeName.of("org.apache.james.other"), AttributeValue.of("x")))
            .build();
    }

    private ArchiveStore store() throws Exception {
        return SharedArchive.acquireForTest(tmp.resolve("archive")).store();
    }

    private static byte[] read(ArchiveStore s, String id) throws Exception {
        try (InputStream in = s.openMessage(id)) {
            return in.readAllBytes();
        }
    }

    @Test
    void receivedCaptureStoresTheFullEnvelopeAndTheExactBytes() throws Exception {
        JournalArchive m = mailet("capturePoint", "received");
        FakeMail mail = mail("mail-1");

        m.service(mail);

        assertThat(mail.getState()).isEqualTo("transport");
        String id = (String) mail.getAttribute(Journal.RECEIVED_ENTRY).get().getValue().getValue();
        ArchiveStore s = store();
        ArchiveEntry e = s.get(id).get();
        assertThat(e.envelope().mailFrom()).isEqualTo("alice@corp.example");
        assertThat(e.envelope().recipients()).containsExactly("bob@remote.example", "carol@remote.example", "hidden@bcc.example");
        assertThat(e.envelope().clientIp()).contains("192.0.2.7");
        assertThat(e.envelope().helo()).contains("client.test");
        assertThat(e.envelope().authUser()).contains("alice@corp.example");
        assertThat(e.envelope().received()).isEqualTo(Instant.parse("2026-11-28T09:59:58Z"));
        assertThat(e.envelope().messageId()).contains("<m1@corp.example>");
        assertThat(e.envelope().subject()).contains("Grüße report");
        assertThat(e.envelope().decision()).contains("relay");
        assertThat(e.envelope().ruleId()).contains("corp-auth");
        assertThat(e.envelope().trace()).containsExactly("org.jsmarthost.dkim.signed=corp.example",
            "org.jsmarthost.relay.decision=relay", "org.jsmarthost.relay.rules=corp-auth");
        assertThat(e.envelope().linkId()).isEqualTo("mail-1");
        assertThat(new String(read(s, id), StandardCharsets.UTF_8)).isEqualTo(RAW);
        for (String r : List.of("bob@remote.example", "carol@remote.example", "hidden@bcc.example")) {
            assertThat(s.search(Query.builder().recipient(r).build())).extracting(ArchiveEntry::id).containsExactly(id);
        }
        assertThat(metrics.countFor(Journal.METRIC_ARCHIVED)).isEqualTo(1);
    }

    @Test
    void eachCaptureIsArchivedOnceAndTheSentCaptureIsLinkedToTheReceivedOne() throws Exception {
        JournalArchive received = mailet("capturePoint", "received");
        JournalArchive sent = mailet("capturePoint", "sent");
        FakeMail mail = mail("mail-2");

        received.service(mail);
        received.service(mail);
        // James splits the mail: the relayed part gets a new name but keeps the attributes
        FakeMail part = FakeMail.builder().name("mail-2-part").sender("alice@corp.example").recipients("bob@remote.example")
            .mimeMessage(message(RAW.replace("Hello Bob", "-- signed --\r\nHello Bob"))).state("relay")
            .attributes(new ArrayList<>(mail.attributesMap().values())).build();
        sent.service(part);
        sent.service(part);

        ArchiveStore s = store();
        assertThat(s.size()).isEqualTo(2);
        List<ArchiveEntry> linked = s.linked("mail-2");
        assertThat(linked).extracting(e -> e.envelope().capturePoint()).containsExactly(CapturePoint.RECEIVED, CapturePoint.SENT);
        assertThat(linked.get(1).envelope().recipients()).containsExactly("bob@remote.example");
        assertThat(new String(read(s, linked.get(1).id()), StandardCharsets.UTF_8)).contains("-- signed --");
        assertThat(new ArchiveAdmin(SharedArchive.acquireForTest(tmp.resolve("archive")), CLOCK).show(linked.get(1).id()))
            .contains("Capture point:  sent").contains("Linked:         " + linked.get(0).id() + " (received)");
    }

    @Test
    void unwritableArchiveHoldsTheMailBackAndTheRetryArchivesAndReleasesIt() throws Exception {
        Path root = tmp.resolve("archive");
        Files.writeString(root, "not a directory");
        JournalArchive m = mailet("capturePoint", "sent", "retryDelay", "5s", "resumeProcessor", "relay-delivery");
        FakeMail mail = mail("mail-3");
        mail.setState("relay");

        m.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).hasSize(1);
        FakeMailContext.SentMail queued = context.getSentMails().get(0);
        assertThat(queued.getState()).isEqualTo("archive-retry");
        assertThat(queued.getDelay()).contains(new FakeMailContext.Delay(5000, TimeUnit.MILLISECONDS));
        assertThat(metrics.countFor(Journal.METRIC_FAILED)).isEqualTo(1);
        assertThat(metrics.countFor(Journal.METRIC_RETRIED)).isEqualTo(1);

        JournalArchiveRetry retry = retryMailet();
        FakeMail again = FakeMail.builder().name("mail-3").sender("alice@corp.example")
            .recipients(new ArrayList<>(queued.getRecipients())).mimeMessage(queued.getMsg()).state("archive-retry")
            .attributes(new ArrayList<>(queued.getAttributes().values())).build();
        again.setAttribute(Mail.SENT_BY_MAILET_ATTRIBUTE);
        // still unwritable: queued again
        retry.service(again);
        assertThat(again.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).hasSize(2);
        assertThat(Journal.string(again, Journal.RETRY)).contains("sent relay-delivery 2 false");

        Files.delete(root);
        FakeMail third = FakeMail.builder().name("mail-3").sender("alice@corp.example")
            .recipients(new ArrayList<>(queued.getRecipients())).mimeMessage(queued.getMsg()).state("archive-retry")
            .attributes(new ArrayList<>(context.getSentMails().get(1).getAttributes().values())).build();
        third.setAttribute(Mail.SENT_BY_MAILET_ATTRIBUTE);
        retry.service(third);

        assertThat(third.getState()).isEqualTo("relay-delivery");
        assertThat(third.getAttribute(AttributeName.of(Mail.SENT_BY_MAILET))).isEmpty();
        assertThat(third.getAttribute(Journal.RETRY)).isEmpty();
        ArchiveStore s = store();
        assertThat(s.size()).isEqualTo(1);
        assertThat(s.find("mail-3", CapturePoint.SENT).get().envelope().recipients()).hasSize(3);
    }

    @Test
    void outOfMemoryWhileArchivingFollowsTheFailurePolicyAndLeavesNoContentBehind() throws Exception {
        JournalArchive m = mailet("capturePoint", "received", "onFailure", "error");
        FakeMail mail = mail("mail-oom");
        byte[] raw = RAW.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        mail.setMessage(new MimeMessage(javax.mail.Session.getInstance(new java.util.Properties()),
                new java.io.ByteArrayInputStream(raw)) {
            @Override
            public void writeTo(java.io.OutputStream os) throws java.io.IOException {
                os.write(raw, 0, 100); // part of the message is written when the heap runs out
                throw new OutOfMemoryError("Java heap space");
            }
        });

        m.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.ERROR);
        assertThat(mail.getErrorMessage()).contains("archive (received) failed").contains("OutOfMemoryError: Java heap space");
        assertThat(metrics.countFor(Journal.METRIC_FAILED)).isEqualTo(1);
        ArchiveStore s = store();
        assertThat(s.size()).isZero();
        assertThat(s.verify().ok()).isTrue();
        try (java.util.stream.Stream<Path> files = Files.walk(tmp.resolve("archive"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".gz")).filter(f -> f.toFile().length() > 0))
                .as("no partial content file").isEmpty();
        }
    }

    @Test
    void onFailureErrorSendsTheMailToTheErrorProcessor() throws Exception {
        Files.writeString(tmp.resolve("archive"), "not a directory");
        JournalArchive m = mailet("capturePoint", "received", "onFailure", "error");
        FakeMail mail = mail("mail-4");

        m.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.ERROR);
        assertThat(mail.getErrorMessage()).contains("archive (received) failed");
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void badParametersAreRejectedWithNameValueAndExpectation() {
        assertThatThrownBy(() -> mailet()).hasMessageContaining("'capturePoint' is required, expected 'received' or 'sent'");
        assertThatThrownBy(() -> mailet("capturePoint", "delivered")).hasMessageContaining("'capturePoint' is 'delivered', expected 'received' or 'sent'");
        assertThatThrownBy(() -> mailet("capturePoint", "sent", "onFailure", "drop")).hasMessageContaining("'onFailure' is 'drop', expected 'retry' or 'error'");
        assertThatThrownBy(() -> mailet("capturePoint", "sent", "retryDelay", "soon")).hasMessageContaining("'retryDelay' is 'soon'");
        assertThatThrownBy(() -> mailet("capturePoint", "sent", "colour", "blue")).hasMessageContaining("unknown parameter 'colour'");
    }

    @Test
    void s3StoreParametersAreValidated() {
        assertThatThrownBy(() -> mailet("capturePoint", "sent", "s3Bucket", "archive"))
            .hasMessageContaining("'s3Bucket' is only valid with store=s3");
        assertThatThrownBy(() -> mailet("capturePoint", "sent", "store", "tape")).hasMessageContaining("'store' is 'tape', expected 'file' or 's3'");
        assertThatThrownBy(() -> mailet("capturePoint", "sent", "store", "s3"))
            .hasMessageContaining("'s3Endpoint' is required with store=s3");
        assertThatThrownBy(() -> mailet("capturePoint", "sent", "store", "s3", "s3Endpoint", "ftp://x"))
            .hasMessageContaining("expected an http:// or https:// URL");
        assertThatThrownBy(() -> mailet("capturePoint", "sent", "store", "s3", "s3Endpoint", "http://127.0.0.1:1", "s3Bucket", "b",
            "s3AccessKey", "a", "s3SecretKey", "s", "node", "bad/node")).hasMessageContaining("node id 'bad/node' is not valid");
    }

    @Test
    void invalidRetentionFileStopsTheStartNamingTheLine() throws Exception {
        Files.writeString(tmp.resolve("retention.conf"), "default = 10y\nexample.com = forever\n");
        assertThatThrownBy(() -> mailet("capturePoint", "sent")).hasMessageContaining("retention.conf").hasMessageContaining("line 2");
    }

    @Test
    void requiredProcessorsAreDeclaredSoJamesChecksThemAtStart() throws Exception {
        assertThat(mailet("capturePoint", "sent", "resumeProcessor", "relay-delivery").requiredProcessingState())
            .extracting(Object::toString).containsExactly("archive-retry", "relay-delivery");
    }

    @Test
    void messageBytesOfALargeMessageAreStreamed() throws Exception {
        JournalArchive m = mailet("capturePoint", "received");
        StringBuilder body = new StringBuilder(RAW);
        for (int i = 0; i < 20000; i++) {
            body.append("line ").append(i).append(" of a long message body\r\n");
        }
        FakeMail mail = FakeMail.builder().name("big").sender("alice@corp.example").recipients("bob@remote.example")
            .mimeMessage(message(body.toString())).state("transport").build();

        m.service(mail);

        ArchiveStore s = store();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        mail.getMessage().writeTo(expected);
        assertThat(read(s, s.find("big", CapturePoint.RECEIVED).get().id())).isEqualTo(expected.toByteArray());
    }
}
