package org.jsmarthost.distribution.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import javax.mail.BodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.activemq.command.ActiveMQObjectMessage;
import org.apache.activemq.util.ByteSequence;
import org.apache.james.queue.jms.MimeMessageObjectMessageSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * The in-place form is what Java serialization writes for a byte[]: the prefix against ObjectOutputStream's own
     * bytes, the whole content against what ActiveMQ stores for {@code setObject(byte[])} (ObjectOutputStream with
     * its reset), read back by ObjectInputStream and by ActiveMQ's {@code getObject()}; whatever the size hint.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 255, 65_536, 1_000_000})
    void serializedFormIsJavaSerializationOfTheByteArray(int length) throws Exception {
        byte[] bytes = random(length);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(plain)) {
            out.writeObject(bytes);
        }
        ActiveMQObjectMessage activeMq = new ActiveMQObjectMessage(); // no connection: serialised at once
        activeMq.setObject(bytes);
        byte[] activeMqContent = content(activeMq.getContent());

        for (long hint : new long[] {length, 0, length / 2, length + 1000L}) {
            ByteSequence ours = QueuedBytesSource.serialize(raw(bytes), hint);
            byte[] content = content(ours);

            assertThat(Arrays.copyOf(content, QueuedBytesSource.PREFIX_LENGTH))
                .as("prefix, hint %d", hint)
                .isEqualTo(Arrays.copyOf(plain.toByteArray(), QueuedBytesSource.PREFIX_LENGTH));
            assertThat(Arrays.copyOf(content, content.length - 1)).isEqualTo(plain.toByteArray());
            assertThat(content).isEqualTo(activeMqContent);
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(content))) {
                assertThat((byte[]) in.readObject()).isEqualTo(bytes);
            }
            ActiveMQObjectMessage message = new ActiveMQObjectMessage();
            message.setContent(ours);
            assertThat((byte[]) message.getObject()).isEqualTo(bytes);

            ActiveMQObjectMessage fresh = new ActiveMQObjectMessage();
            fresh.setContent(ours);
            QueuedBytesSource source = new QueuedBytesSource(fresh);
            assertThat(source.readsContentInPlace()).isTrue();
            assertThat(source.getMessageSize()).isEqualTo(length);
            assertThat(source.getInputStream().readAllBytes()).isEqualTo(bytes);
        }
    }

    /** A message set with {@code setObject} (James's way, and the tests above) is read in place too. */
    @Test
    void activeMqsOwnFormIsReadInPlace() throws Exception {
        byte[] bytes = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        QueuedBytesSource source = new QueuedBytesSource(objectMessage(bytes));
        assertThat(source.readsContentInPlace()).isTrue();
        assertThat(source.getInputStream().readAllBytes()).isEqualTo(bytes);
        ByteSequence view = QueuedBytesSource.mailBytes(objectMessage(bytes));
        assertThat(view.getOffset()).isEqualTo(QueuedBytesSource.PREFIX_LENGTH);
        assertThat(view.getLength()).isEqualTo(bytes.length);
    }

    /** Content that is not exactly the serialized array is read with getObject(), as James does. */
    @Test
    void anyOtherContentIsReadThroughGetObject() throws Exception {
        byte[] bytes = random(5000);
        byte[] form = content(QueuedBytesSource.serialize(raw(bytes), bytes.length));

        // a trailing byte that is not TC_RESET: ObjectInputStream still reads the array, the length check refuses
        byte[] trailing = Arrays.copyOf(form, form.length + 1);
        assertReadThroughGetObject(withContent(trailing), bytes);
        // the declared length one short: getObject reads that shorter array
        byte[] shorter = form.clone();
        shorter[QueuedBytesSource.PREFIX_LENGTH - 1]--;
        assertReadThroughGetObject(withContent(shorter), Arrays.copyOf(bytes, bytes.length - 1));
        // compressed (what a connection with useCompression stores)
        ActiveMQObjectMessage compressed = objectMessage(bytes);
        compressed.compress();
        assertThat(compressed.isCompressed()).isTrue();
        assertReadThroughGetObject(compressed, bytes);
        // another class descriptor (a String, not a byte[]) is never taken for mail bytes
        ActiveMQObjectMessage string = new ActiveMQObjectMessage();
        string.setObject("not a byte array");
        assertThat(QueuedBytesSource.mailBytes(string)).isNull();
        // each byte of the prefix matters
        for (int i = 0; i < QueuedBytesSource.ARRAY_HEADER.length; i++) {
            byte[] broken = form.clone();
            broken[i] ^= 0x01;
            assertThat(QueuedBytesSource.mailBytes(withContent(broken))).as("prefix byte %d changed", i).isNull();
        }
    }

    private static void assertReadThroughGetObject(ActiveMQObjectMessage message, byte[] expected) throws Exception {
        assertThat(QueuedBytesSource.mailBytes(message)).isNull();
        QueuedBytesSource source = new QueuedBytesSource(message);
        assertThat(source.readsContentInPlace()).isFalse();
        assertThat(source.getInputStream().readAllBytes()).isEqualTo(expected);
        assertThat(source.getMessageSize()).isEqualTo(expected.length);
    }

    private static ActiveMQObjectMessage withContent(byte[] content) throws Exception {
        ActiveMQObjectMessage message = new ActiveMQObjectMessage();
        message.setJMSMessageID("ID:test-2");
        message.setContent(new ByteSequence(content));
        return message;
    }

    private static byte[] content(ByteSequence sequence) {
        return Arrays.copyOfRange(sequence.getData(), sequence.getOffset(), sequence.getOffset() + sequence.getLength());
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    /** A message whose writeTo writes exactly these bytes (any bytes, not necessarily a parseable mail). */
    private static MimeMessage raw(byte[] bytes) {
        return new MimeMessage((javax.mail.Session) null) {
            @Override
            public void writeTo(OutputStream out) throws java.io.IOException {
                out.write(bytes);
            }
        };
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
    /** Header lines James gives back unchanged, and lines it changes or the copy must not judge. */
    private static final String[] FIELDS = {"From: a@example.com", "To: b@example.com,\r\n\tc@example.com",
        "Subject: =?UTF-8?Q?caf=C3=A9?=", "Received: from x\r\n by y; Sun, 6 Dec 2026 19:00:00 +0000", "X-No-Colon",
        ":empty-name", "Empty:", "Spaces:    wide   ", "Long: " + "z".repeat(3000), "Message-ID: <1@example.com>"};
    private static final String[] BROKEN = {"Lf: only\n", "Cr: only\rNext: x", "Latin: \u00e9t\u00e9", " starts-blank",
        "\tstarts-tab", "Blank-follows: a\r\n\t\r\n", "Nul: \u0000", "Del: \u007f", "Esc: \u001b", "Cr-cr-lf: a\r\r\n"};

    private static byte[] randomMail(Random random, boolean broken) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(7); i > 0; i--) {
            text.append(broken && random.nextInt(3) == 0 ? BROKEN[random.nextInt(BROKEN.length)]
                : FIELDS[random.nextInt(FIELDS.length)]);
            text.append(broken && random.nextInt(9) == 0 ? "\n" : "\r\n");
        }
        switch (random.nextInt(9)) {
            case 0:
                text.append("\n"); // a bare LF ends the header block
                break;
            case 1:
                break; // no end of header block
            default:
                text.append("\r\n");
        }
        for (int i = random.nextInt(40); i > 0; i--) {
            text.append("body ").append(i).append(random.nextInt(5) == 0 ? "\n" : "\r\n");
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static MimeMessageWrapper received(byte[] bytes) throws Exception {
        return new MimeMessageWrapper(org.apache.james.server.core.MimeMessageInputStreamSource.create("m",
            new ByteArrayInputStream(bytes)));
    }

    /**
     * An unchanged mail (as James receives it over SMTP) is queued as its source bytes when those are what
     * writeTo writes, else through writeTo: random header blocks, canonical and not, always give writeTo's bytes,
     * and the source is copied for every canonical block and only then.
     */
    @Test
    void anUnchangedMailIsQueuedAsWriteToWritesIt() throws Exception {
        Random random = new Random(6122026);
        int copied = 0;
        int written = 0;
        for (int round = 0; round < 4000; round++) {
            byte[] bytes = randomMail(random, round % 2 == 1);
            String what = "round " + round + ": " + new String(bytes, StandardCharsets.ISO_8859_1);
            byte[] expected = written(received(bytes));
            byte[] content = content(QueuedBytesSource.serialize(received(bytes), random.nextInt(bytes.length + 1)));
            assertThat(Arrays.copyOfRange(content, QueuedBytesSource.PREFIX_LENGTH, content.length - 1)).as(what)
                .isEqualTo(expected);

            QueuedBytesSource.SerializingStream out = new QueuedBytesSource.SerializingStream(16);
            boolean copy = QueuedBytesSource.copySource(received(bytes), out);
            byte[] left = content(out.finish());
            boolean canonical = QueuedBytesSource.canonicalHeaderEnd(bytes, 0, bytes.length) > 0;
            assertThat(copy).as(what).isEqualTo(canonical);
            if (copy) {
                copied++;
                assertThat(expected).as(what).isEqualTo(bytes);
                assertThat(left.length).isEqualTo(QueuedBytesSource.PREFIX_LENGTH + bytes.length + 1);
            } else {
                written++;
                assertThat(left.length).as("nothing left of the copy: " + what).isEqualTo(QueuedBytesSource.PREFIX_LENGTH + 1);
            }
        }
        assertThat(copied).isGreaterThan(1000);
        assertThat(written).isGreaterThan(1000);
    }

    /** Each broken line alone in an otherwise canonical header block makes it non-canonical. */
    @Test
    void eachBrokenLineIsLeftToWriteTo() throws Exception {
        for (String broken : BROKEN) {
            String header = broken.startsWith(" ") || broken.startsWith("\t")
                ? broken + "\r\nFrom: a@example.com\r\n" : "From: a@example.com\r\n" + broken + "\r\n";
            byte[] bytes = (header + "\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1);
            assertThat(QueuedBytesSource.canonicalHeaderEnd(bytes, 0, bytes.length)).as(broken).isEqualTo(-1);
            byte[] content = content(QueuedBytesSource.serialize(received(bytes), bytes.length));
            assertThat(Arrays.copyOfRange(content, QueuedBytesSource.PREFIX_LENGTH, content.length - 1)).as(broken)
                .isEqualTo(written(received(bytes)));
        }
        byte[] fine = "From: a@example.com\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(QueuedBytesSource.canonicalHeaderEnd(fine, 0, fine.length)).isEqualTo(fine.length - 6);
        byte[] shifted = ("xyz" + new String(fine, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
        assertThat(QueuedBytesSource.canonicalHeaderEnd(shifted, 3, shifted.length)).isEqualTo(shifted.length - 6);
    }

    /** A changed message is written by writeTo (the change is in the queued bytes). */
    @Test
    void aChangedMailIsQueuedThroughWriteTo() throws Exception {
        byte[] bytes = "From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        MimeMessageWrapper changed = received(bytes);
        changed.setHeader("Subject", "changed");
        QueuedBytesSource.SerializingStream out = new QueuedBytesSource.SerializingStream(0);
        assertThat(QueuedBytesSource.copySource(changed, out)).isFalse();
        byte[] content = content(QueuedBytesSource.serialize(changed, 0));
        String queued = new String(content, QueuedBytesSource.PREFIX_LENGTH, content.length - 1 - QueuedBytesSource.PREFIX_LENGTH,
            StandardCharsets.US_ASCII);
        assertThat(queued).contains("Subject: changed\r\n").doesNotContain("Subject: s\r\n").endsWith("\r\n\r\nbody\r\n");
    }
}
