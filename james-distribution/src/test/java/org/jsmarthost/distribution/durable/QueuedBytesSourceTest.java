package org.jsmarthost.distribution.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import javax.mail.BodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.activemq.command.ActiveMQObjectMessage;
import org.apache.james.queue.jms.MimeMessageObjectMessageSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.junit.jupiter.api.Test;

class QueuedBytesSourceTest {
    private static final String MESSAGE = "Received: from client.example ([127.0.0.1])\r\n"
            + "\tby smarthost; Sun, 6 Dec 2026 04:00:13 +0000\r\n"
            + "From: <bench@anchor.example>\r\n"
            + "To: <rcpt@sink.example>\r\n"
            + "Subject: two parts\r\n"
            + "Date: Sun, 6 Dec 2026 04:00:13 +0000\r\n"
            + "Message-ID: <q1@anchor.example>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
            + "\r\n"
            + "preamble\r\n"
            + "--b1\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n"
            + "\r\n"
            + "Grüße, first part\r\n"
            + "--b1\r\n"
            + "Content-Type: application/octet-stream\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + "AAECAwQFBgc=\r\n"
            + "--b1--\r\n";

    /** Sub-streams, positions, mark/reset and bulk reads of the unsynchronized stream, against the array itself. */
    @Test
    void streamServesExactlyItsRange() throws Exception {
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        QueuedBytesSource.Stream all = new QueuedBytesSource.Stream(data, 100, 800);
        assertThat(all.read()).isEqualTo(data[100] & 0xff);
        assertThat(all.getPosition()).isEqualTo(1);
        all.mark(0);
        byte[] chunk = new byte[50];
        assertThat(all.read(chunk, 0, 50)).isEqualTo(50);
        assertThat(chunk).isEqualTo(java.util.Arrays.copyOfRange(data, 101, 151));
        all.reset();
        assertThat(all.getPosition()).isEqualTo(1);
        assertThat(all.skip(10_000)).isEqualTo(799);
        assertThat(all.read()).isEqualTo(-1);
        assertThat(all.read(chunk, 0, 0)).isZero();

        java.io.InputStream sub = all.newStream(200, 260);
        assertThat(sub.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 300, 360));
        javax.mail.internet.SharedInputStream rest = (javax.mail.internet.SharedInputStream) all.newStream(790, -1);
        assertThat(((java.io.InputStream) rest).readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 890, 900));
        assertThat(((java.io.InputStream) rest.newStream(5, 1_000)).readAllBytes()).hasSize(5); // clamped like javax.mail's
        assertThat(new javax.mail.util.SharedByteArrayInputStream(data, 100, 800).newStream(790, -1).readAllBytes())
                .isEqualTo(java.util.Arrays.copyOfRange(data, 890, 900));
    }

    /** A mail read through our source is written, and parsed, exactly as through James's. */
    @Test
    void mimeMessageOverItWritesAndParsesLikeJamessSource() throws Exception {
        byte[] bytes = MESSAGE.getBytes(StandardCharsets.UTF_8);
        MimeMessage ours = new MimeMessageWrapper(new QueuedBytesSource(objectMessage(bytes)));
        MimeMessage james = new MimeMessageWrapper(new MimeMessageObjectMessageSource(objectMessage(bytes)));

        assertThat(written(ours)).isEqualTo(written(james)).isEqualTo(bytes);
        assertThat(ours.getSize()).isEqualTo(james.getSize());

        ours.setHeader("X-Added", "1"); // header changed, body not: James copies the body from the source
        james.setHeader("X-Added", "1");
        assertThat(new String(written(ours), StandardCharsets.UTF_8)).contains("X-Added: 1\r\n")
                .isEqualTo(new String(written(james), StandardCharsets.UTF_8));

        MimeMultipart parts = (MimeMultipart) ours.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        BodyPart text = parts.getBodyPart(0);
        assertThat(text.getContent()).isEqualTo("Grüße, first part"); // the CRLF before a boundary belongs to it
        assertThat(parts.getBodyPart(1).getInputStream().readAllBytes()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void disposeClearsTheQueueMessage() throws Exception {
        ActiveMQObjectMessage message = objectMessage("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
        message.setStringProperty("JAMES_MAIL_NAME", "m1");
        QueuedBytesSource source = new QueuedBytesSource(message);
        assertThat(source.getSourceId()).isEqualTo("ID:test-1");
        assertThat(source.getMessageSize()).isEqualTo(20);

        source.dispose();

        assertThat(message.getObject()).isNull();
        assertThat(message.getStringProperty("JAMES_MAIL_NAME")).isNull();
    }

    private static ActiveMQObjectMessage objectMessage(byte[] bytes) throws Exception {
        ActiveMQObjectMessage message = new ActiveMQObjectMessage();
        message.setJMSMessageID("ID:test-1");
        message.setObject(bytes);
        return message;
    }

    private static byte[] written(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }
}
