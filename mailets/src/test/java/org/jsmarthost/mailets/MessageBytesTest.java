package org.jsmarthost.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import javax.mail.internet.MimeMessage;
import javax.mail.internet.SharedInputStream;
import javax.mail.util.SharedByteArrayInputStream;

import org.apache.james.server.core.MailImpl;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

class MessageBytesTest {
    /** Random operations on our stream and on javax.mail's, side by side: every answer must be the same. */
    @Test
    void behavesLikeJavaMailsSharedByteArrayInputStream() throws IOException {
        Random random = new Random(20261206);
        for (int round = 0; round < 2000; round++) {
            byte[] data = new byte[random.nextInt(300)];
            random.nextBytes(data);
            int offset = data.length == 0 ? 0 : random.nextInt(data.length);
            int length = random.nextInt(data.length - offset + 1);
            InputStream ours = new MessageBytes.Stream(data, offset, length);
            InputStream theirs = new SharedByteArrayInputStream(data, offset, length);
            for (int op = 0; op < 40; op++) {
                String what = "round " + round + " op " + op;
                switch (random.nextInt(8)) {
                    case 0:
                        assertThat(ours.read()).as(what).isEqualTo(theirs.read());
                        break;
                    case 1: {
                        int len = 1 + random.nextInt(40);
                        byte[] a = new byte[len + 4];
                        byte[] b = new byte[len + 4];
                        assertThat(ours.read(a, 2, len)).as(what).isEqualTo(theirs.read(b, 2, len));
                        assertThat(a).as(what).isEqualTo(b);
                        break;
                    }
                    case 2: {
                        long n = random.nextInt(60) - 5;
                        assertThat(ours.skip(n)).as(what).isEqualTo(theirs.skip(n));
                        break;
                    }
                    case 3:
                        ours.mark(0);
                        theirs.mark(0);
                        break;
                    case 4:
                        ours.reset();
                        theirs.reset();
                        break;
                    case 5:
                        assertThat(ours.available()).as(what).isEqualTo(theirs.available());
                        break;
                    case 6:
                        assertThat(((SharedInputStream) ours).getPosition()).as(what)
                                .isEqualTo(((SharedInputStream) theirs).getPosition());
                        break;
                    default: {
                        int size = length;
                        long from = random.nextInt(size + 1);
                        long to = random.nextBoolean() ? -1 : from + random.nextInt(size - (int) from + 1);
                        ours = ((SharedInputStream) ours).newStream(from, to);
                        theirs = ((SharedInputStream) theirs).newStream(from, to);
                        length = ours.available();
                        assertThat(length).as(what).isEqualTo(theirs.available());
                        break;
                    }
                }
            }
            assertThat(ours.readAllBytes()).isEqualTo(theirs.readAllBytes());
        }
    }

    /** In James (MailImpl) the bytes become the message's source: written back exactly, nothing copied. */
    @Test
    void aReplacedMessageIsWrittenAsTheBytesGiven() throws Exception {
        byte[] bytes = ("DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=e1;\r\n\tbh=x; b=y\r\n"
                + "From: <a@example.com>\r\nSubject: x\r\n\r\nbody line\r\n").getBytes(StandardCharsets.US_ASCII);
        MailImpl james = MailImpl.builder().name("m1").sender("a@example.com").addRecipient("b@example.org")
                .mimeMessage(new MimeMessage(javax.mail.Session.getInstance(new java.util.Properties()),
                        new java.io.ByteArrayInputStream("Subject: old\r\n\r\nold\r\n".getBytes(StandardCharsets.US_ASCII))))
                .build();
        FakeMail fake = FakeMail.builder().name("m2").build();

        MessageBytes.replace(james, bytes);
        MessageBytes.replace(fake, bytes);

        assertThat(written(james.getMessage())).isEqualTo(bytes);
        assertThat(written(fake.getMessage())).isEqualTo(bytes);
        assertThat(james.getMessage().getSubject()).isEqualTo("x");
        assertThat(james.getMessageSize()).isEqualTo(bytes.length);
        james.getMessage().setSubject("changed"); // a later change still works (copy on write in James's wrapper)
        assertThat(new String(written(james.getMessage()), StandardCharsets.US_ASCII)).contains("Subject: changed\r\n");
        assertThat(new String(bytes, StandardCharsets.US_ASCII)).contains("Subject: x\r\n"); // the given bytes untouched
    }

    private static byte[] written(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }
}
