package org.jsmarthost.mailets.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

class MessageStreamTest {
    private static MimeMessage message(String body) throws MessagingException {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(
            ("From: a@example.com\r\nSubject: s\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void streamsExactlyWhatWriteToWritesAlsoBeyondThePipeSize() throws Exception {
        MimeMessage message = message("line\r\n".repeat(60_000));
        byte[] expected = DkimTestSupport.bytes(message);
        try (InputStream in = MessageStream.of(message)) {
            assertThat(in.readAllBytes()).isEqualTo(expected);
        }
        assertThat(expected.length).isGreaterThan(300_000);
    }

    @Test
    void aFailingWriteToIsAnIOExceptionAtTheEndOfTheStream() throws Exception {
        MimeMessage broken = new MimeMessage(message("x")) {
            @Override
            public void writeTo(OutputStream os) throws IOException {
                os.write("From: a@example.com\r\n".getBytes(StandardCharsets.US_ASCII));
                throw new IOException("disk gone");
            }
        };
        try (InputStream in = MessageStream.of(broken)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("disk gone");
        }
    }

    @Test
    void closingEarlyEndsTheWriterThread() throws Exception {
        MimeMessage big = message("y".repeat(70) + "\r\n".repeat(1) + "z\r\n".repeat(200_000));
        InputStream in = MessageStream.of(big);
        assertThat(in.read()).isEqualTo('F');
        in.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (writerAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(writerAlive()).isFalse();
    }

    @Test
    void aSmallMessageIsWrittenOnTheCallingThreadWithTheSameBytes() throws Exception {
        MimeMessage small = message("line\r\n".repeat(1000));
        long size = MessageStream.bodySize(small);
        assertThat(size).isBetween(1L, (long) MessageStream.IN_HEAP_LIMIT);
        try (InputStream in = MessageStream.of(small, size)) {
            assertThat(in).isInstanceOf(org.jsmarthost.mailets.MessageBytes.Stream.class); // the heap buffer, no pipe
            assertThat(in.readAllBytes()).isEqualTo(DkimTestSupport.bytes(small));
        }
        MimeMessage big = message("line\r\n".repeat(60_000));
        try (InputStream in = MessageStream.of(big, MessageStream.bodySize(big))) {
            assertThat(in).isInstanceOf(MessageStream.class);
            assertThat(in.readAllBytes()).isEqualTo(DkimTestSupport.bytes(big));
        }
    }

    @Test
    void aSmallMessageThatCannotBeWrittenIsAnIOException() throws Exception {
        MimeMessage broken = new MimeMessage(message("x")) {
            @Override
            public void writeTo(OutputStream os) throws MessagingException {
                throw new MessagingException("unwritable");
            }
        };
        assertThatThrownBy(() -> MessageStream.of(broken, 10)).isInstanceOf(IOException.class)
            .hasMessageContaining("unwritable");
    }

    private static boolean writerAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("dkim-message-stream") && t.isAlive());
    }
}
