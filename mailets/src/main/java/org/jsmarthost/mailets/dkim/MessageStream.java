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

import org.jsmarthost.mailets.HeapBuffer;
import org.jsmarthost.mailets.MessageWriter;

/**
 * A {@link MimeMessage} as the bytes {@code writeTo} produces, read through a 64 KB pipe that a helper thread
 * fills: the signer and the verifier hash the message as a stream, with no copy of the whole message in the heap.
 * A failure of {@code writeTo} surfaces as an {@link IOException} at the end of the stream; closing the stream
 * early ends the helper thread. Small messages skip the thread and the pipe ({@link #of(MimeMessage, long)}).
 */
final class MessageStream extends FilterInputStream {
    private static final int PIPE_SIZE = 64 * 1024;

    private final AtomicReference<Exception> failure;

    private MessageStream(PipedInputStream in, AtomicReference<Exception> failure) {
        super(in);
        this.failure = failure;
    }

    /** Messages up to this size are written into a byte array on the calling thread instead (no helper thread). */
    static final int IN_HEAP_LIMIT = 256 * 1024;

    /**
     * The message's bytes: for a message of known size up to {@link #IN_HEAP_LIMIT}, written into the heap on this
     * thread (a helper thread per message costs more than the copy); otherwise streamed through the pipe.
     */
    static InputStream of(MimeMessage message, long size) throws IOException {
        HeapBuffer bytes = inHeap(message, size, 0);
        return bytes == null ? of(message) : bytes.stream();
    }

    /**
     * The bytes {@code writeTo} produces when the size is known and at most {@link #IN_HEAP_LIMIT}, else null;
     * {@code front} bytes are kept free in front of them ({@link HeapBuffer#prepend}). {@code size} is the body
     * size: the header block is expected to fit in {@link HeapBuffer#HEADER_ROOM} (else the buffer grows once).
     */
    static HeapBuffer inHeap(MimeMessage message, long size, int front) throws IOException {
        if (size < 0 || size > IN_HEAP_LIMIT) {
            return null;
        }
        HeapBuffer bytes = new HeapBuffer((int) size + HeapBuffer.HEADER_ROOM, front);
        try {
            MessageWriter.writeTo(message, bytes);
        } catch (MessagingException e) {
            throw new IOException("writing the message failed: " + e, e);
        }
        return bytes;
    }

    /** The body size javax.mail knows without serialising the message, or -1 (then the pipe is used). */
    static long bodySize(MimeMessage message) {
        try {
            return message.getSize();
        } catch (MessagingException | RuntimeException e) {
            return -1;
        }
    }

    static InputStream of(MimeMessage message) throws IOException {
        PipedInputStream in = new PipedInputStream(PIPE_SIZE);
        PipedOutputStream out = new PipedOutputStream(in);
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (OutputStream sink = out) {
                MessageWriter.writeTo(message, sink);
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
