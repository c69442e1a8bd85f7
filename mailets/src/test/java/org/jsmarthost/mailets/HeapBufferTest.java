package org.jsmarthost.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MailImpl;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

class HeapBufferTest {
    /**
     * Random writes (single bytes, pieces, resets) and prepends, the expected content kept beside it in a plain
     * array: the content, its length, the stream over it and the copy always agree, whether the buffer had to grow
     * or not and whether the prepended bytes fit into the room in front.
     */
    @Test
    void holdsWhatWasWrittenAndPrepended() throws Exception {
        Random random = new Random(20261206);
        for (int round = 0; round < 3000; round++) {
            int front = random.nextInt(3) == 0 ? 0 : random.nextInt(64);
            HeapBuffer buffer = new HeapBuffer(random.nextInt(100), front);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int op = 0, ops = random.nextInt(30); op < ops; op++) {
                int what = random.nextInt(10);
                if (what < 4) {
                    byte[] piece = new byte[random.nextInt(200)];
                    random.nextBytes(piece);
                    int off = piece.length == 0 ? 0 : random.nextInt(piece.length);
                    int len = random.nextInt(piece.length - off + 1);
                    buffer.write(piece, off, len);
                    expected.write(piece, off, len);
                } else if (what < 8) {
                    int b = random.nextInt(256);
                    buffer.write(b);
                    expected.write(b);
                } else if (what == 8) {
                    byte[] head = new byte[random.nextInt(80)];
                    random.nextBytes(head);
                    buffer.prepend(head);
                    byte[] rest = expected.toByteArray();
                    expected.reset();
                    expected.write(head);
                    expected.write(rest);
                } else if (random.nextInt(4) == 0) {
                    buffer.reset();
                    expected.reset();
                }
                byte[] want = expected.toByteArray();
                assertThat(buffer.length()).isEqualTo(want.length);
                assertThat(buffer.toByteArray()).isEqualTo(want);
                assertThat(java.util.Arrays.copyOfRange(buffer.array(), buffer.start(), buffer.start() + buffer.length()))
                        .isEqualTo(want);
                assertThat(buffer.stream().readAllBytes()).isEqualTo(want);
            }
        }
    }

    @Test
    void prependUsesTheRoomInFrontWithoutANewArray() {
        HeapBuffer buffer = new HeapBuffer(16, 10);
        buffer.write("body".getBytes(StandardCharsets.US_ASCII), 0, 4);
        byte[] array = buffer.array();
        buffer.prepend("head:".getBytes(StandardCharsets.US_ASCII));
        assertThat(buffer.array()).isSameAs(array);
        assertThat(buffer.start()).isEqualTo(5);
        buffer.prepend("0123456789".getBytes(StandardCharsets.US_ASCII)); // 10 > 5 left: a new array
        assertThat(buffer.array()).isNotSameAs(array);
        assertThat(new String(buffer.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo("0123456789head:body");
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new HeapBuffer(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HeapBuffer(0, -1)).isInstanceOf(IllegalArgumentException.class);
        HeapBuffer buffer = new HeapBuffer(4, 0);
        assertThatThrownBy(() -> buffer.write(new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /**
     * The content becomes the mail's message where it lies, in James's MailImpl and in a mailet-API fake: written
     * back exactly the bytes of the range, the bytes around it (room in front, unused capacity) never part of it.
     */
    @Test
    void becomesTheMessageOfAMailAsItsExactRange() throws Exception {
        byte[] message = ("From: <a@example.com>\r\nSubject: x\r\n\r\nbody line\r\n").getBytes(StandardCharsets.US_ASCII);
        HeapBuffer buffer = new HeapBuffer(message.length + 100, 50);
        buffer.write(message, 0, message.length);
        byte[] field = "X-Top: 1\r\n".getBytes(StandardCharsets.US_ASCII);
        buffer.prepend(field);
        java.util.Arrays.fill(buffer.array(), 0, buffer.start(), (byte) 'Z'); // garbage in front must not show
        byte[] expected = new byte[field.length + message.length];
        System.arraycopy(field, 0, expected, 0, field.length);
        System.arraycopy(message, 0, expected, field.length, message.length);

        MailImpl james = MailImpl.builder().name("m1").sender("a@example.com").addRecipient("b@example.org")
                .mimeMessage(new MimeMessage(javax.mail.Session.getInstance(new java.util.Properties()),
                        new java.io.ByteArrayInputStream("Subject: old\r\n\r\nold\r\n".getBytes(StandardCharsets.US_ASCII))))
                .build();
        FakeMail fake = FakeMail.builder().name("m2").build();
        buffer.becomeMessageOf(james);
        buffer.becomeMessageOf(fake);

        for (MimeMessage m : new MimeMessage[] {james.getMessage(), fake.getMessage()}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.writeTo(out);
            assertThat(out.toByteArray()).isEqualTo(expected);
            assertThat(m.getHeader("X-Top", null)).isEqualTo("1");
            assertThat(m.getSubject()).isEqualTo("x");
        }
        assertThat(james.getMessageSize()).isEqualTo(expected.length);
    }
}
