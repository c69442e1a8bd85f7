package org.jsmarthost.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Random;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.junit.jupiter.api.Test;

class MessageWriterTest {
    private static final String[] PIECES = {"Subject: hello", "From: a@example.com", "X-Empty:", "Received: from x\r\n\tby y",
        "Folded: a\r\n b\r\n c", "No colon line", ":leading colon", "Tab:\tvalue", "Long: " + "x".repeat(2000),
        "Trailing: space ", "To: b@example.com,\r\n c@example.com"};
    /** Things javax.mail or James would change (or that the fast path must not judge): each breaks canonical form. */
    private static final String[] ODD = {"Bare: lf\n", "Bare: cr\rX: y", "Eight: caf\u00e9", " leading space",
        "\tleading tab", "Only-ws-next: a\r\n \r\n", "Nul: a\u0000b", "Del: \u007f", "Ctl: \u0001", "Crlf-in-value: a\r\r\n"};

    private static byte[] randomMessage(Random random, boolean odd) {
        StringBuilder h = new StringBuilder();
        int lines = random.nextInt(6);
        for (int i = 0; i < lines; i++) {
            if (odd && random.nextInt(3) == 0) {
                h.append(ODD[random.nextInt(ODD.length)]);
            } else {
                h.append(PIECES[random.nextInt(PIECES.length)]);
            }
            h.append(odd && random.nextInt(8) == 0 ? "\n" : "\r\n");
        }
        int ending = random.nextInt(10);
        if (ending < 8) {
            h.append("\r\n"); // the blank line
        } else if (ending == 8) {
            h.append("\n"); // a bare LF as blank line
        } // else: no blank line at all
        StringBuilder body = new StringBuilder();
        int bodyLines = random.nextInt(50);
        for (int i = 0; i < bodyLines; i++) {
            body.append("line ").append(i).append(random.nextInt(4) == 0 ? "\n" : "\r\n");
        }
        if (random.nextInt(5) == 0) {
            body.append("no final line break");
        }
        return (h.toString() + body).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] writeTo(MimeMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    private static MimeMessageWrapper wrapper(byte[] bytes, boolean jamesSource) throws Exception {
        return jamesSource
            ? new MimeMessageWrapper(MimeMessageInputStreamSource.create("m", new ByteArrayInputStream(bytes)))
            : new MimeMessageWrapper(new MessageBytes.Source("m", bytes));
    }

    /**
     * Random header blocks, canonical and not, over both kinds of source James hands us: whatever path is taken, the
     * bytes are those of writeTo; the source is copied for every canonical block (and only then).
     */
    @Test
    void writesWhatWriteToWrites() throws Exception {
        Random random = new Random(20261206);
        int copied = 0;
        int fellBack = 0;
        for (int round = 0; round < 6000; round++) {
            byte[] bytes = randomMessage(random, round % 2 == 1);
            boolean jamesSource = random.nextBoolean();
            byte[] expected = writeTo(wrapper(bytes, jamesSource));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            boolean copy = MessageWriter.copySource(wrapper(bytes, jamesSource), out);
            String what = "round " + round + ": " + new String(bytes, StandardCharsets.ISO_8859_1);
            if (copy) {
                copied++;
                assertThat(out.toByteArray()).as(what).isEqualTo(expected).isEqualTo(bytes);
            } else {
                fellBack++;
                assertThat(out.size()).as(what).isZero();
                assertThat(MessageWriter.canonicalHeaderEnd(bytes, bytes.length)).as(what).isEqualTo(-1);
            }
            out.reset();
            MessageWriter.writeTo(wrapper(bytes, jamesSource), out);
            assertThat(out.toByteArray()).as(what).isEqualTo(expected);
            if (MessageWriter.canonicalHeaderEnd(bytes, bytes.length) > 0) {
                assertThat(copy).as(what).isTrue();
            }
        }
        assertThat(copied).isGreaterThan(1500);
        assertThat(fellBack).isGreaterThan(1500);
    }

    /**
     * Each odd piece alone in an otherwise canonical message is refused by the canonical test (a line starting with
     * whitespace as the first line; further down it is a continuation, which is canonical).
     */
    @Test
    void refusesEachOddPiece() throws Exception {
        for (String odd : ODD) {
            String header = odd.startsWith(" ") || odd.startsWith("\t")
                ? odd + "\r\nFrom: a@example.com\r\n" : "From: a@example.com\r\n" + odd + "\r\n";
            byte[] bytes = (header + "Subject: s\r\n\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1);
            assertThat(MessageWriter.canonicalHeaderEnd(bytes, bytes.length)).as(odd).isEqualTo(-1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MessageWriter.writeTo(wrapper(bytes, false), out);
            assertThat(out.toByteArray()).as(odd).isEqualTo(writeTo(wrapper(bytes, false)));
        }
        byte[] fine = "From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(MessageWriter.canonicalHeaderEnd(fine, fine.length)).isEqualTo(fine.length - 6);
    }

    /** A changed message, a header block longer than the limit and another MimeMessage class go through writeTo. */
    @Test
    void leavesOtherMessagesToWriteTo() throws Exception {
        byte[] bytes = "From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        MimeMessageWrapper changed = wrapper(bytes, false);
        changed.setHeader("Subject", "changed");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(MessageWriter.copySource(changed, out)).isFalse();
        MessageWriter.writeTo(changed, out);
        assertThat(new String(out.toByteArray(), StandardCharsets.US_ASCII)).contains("Subject: changed\r\n").doesNotContain("Subject: s\r\n");

        byte[] longHeader = ("X-Long: " + "y".repeat(MessageWriter.HEADER_LIMIT) + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
        out.reset();
        assertThat(MessageWriter.copySource(wrapper(longHeader, true), out)).isFalse();
        assertThat(out.size()).isZero();
        MessageWriter.writeTo(wrapper(longHeader, true), out);
        assertThat(out.toByteArray()).isEqualTo(writeTo(wrapper(longHeader, true)));

        MimeMessage plain = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
        out.reset();
        assertThat(MessageWriter.copySource(plain, out)).isFalse();
        MessageWriter.writeTo(plain, out);
        assertThat(out.toByteArray()).isEqualTo(writeTo(plain));
    }
}
