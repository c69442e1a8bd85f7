package org.jsmarthost.mailets.dkim;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.concurrent.atomic.AtomicReference;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

/**
 * A {@link MimeMessage} as the bytes {@code writeTo} produces, read through a 64 KB pipe that a helper thread
 * fills: the signer and the verifier hash the message as a stream, with no copy of the whole message in the heap.
 * A failure of {@code writeTo} surfaces as an {@link IOException} at the end of the stream; closing the stream
 * early ends the helper thread.
 */
final class MessageStream extends FilterInputStream {
    private static final int PIPE_SIZE = 64 * 1024;

    private final AtomicReference<Exception> failure;

    private MessageStream(PipedInputStream in, AtomicReference<Exception> failure) {
        super(in);
        this.failure = failure;
    }

    static InputStream of(MimeMessage message) throws IOException {
        PipedInputStream in = new PipedInputStream(PIPE_SIZE);
        PipedOutputStream out = new PipedOutputStream(in);
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (OutputStream sink = out) {
                message.writeTo(sink);
            } catch (IOException | MessagingException | RuntimeException e) {
                failure.set(e);
            }
        }, "dkim-message-stream");
        writer.setDaemon(true);
        writer.start();
        return new MessageStream(in, failure);
    }

    @Override
    public int read() throws IOException {
        return checked(super.read());
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        return checked(super.read(buffer, offset, length));
    }

    private int checked(int result) throws IOException {
        if (result < 0 && failure.get() != null) {
            throw new IOException("writing the message failed: " + failure.get(), failure.get());
        }
        return result;
    }
}
