package org.jsmarthost.mailets.disclaimer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.mail.util.SharedFileInputStream;

import org.apache.mailet.Mail;
import org.jsmarthost.mailets.HeapBuffer;
import org.jsmarthost.mailets.MessageWriter;

/**
 * Moves a mail's message to and from temporary files without javax.mail re-serialising it.
 *
 * <p>A {@link MimeMessage} parsed from a stream is "saved": {@code writeTo} copies its header lines and raw body
 * as they are, and nothing here calls {@code saveChanges()}. James's {@code MailImpl.setMessage} copies the new
 * message into its own {@code MimeMessageWrapper} (through {@code writeTo}, spooled to disk when large) and
 * later writes that copy raw because it is never modified; the temporary file is then closed and deleted.
 * Bytes in the heap become the message's source without a copy ({@link HeapBuffer#becomeMessageOf}).
 */
final class RawMessages {
    private static final Session SESSION = Session.getInstance(new Properties());

    private RawMessages() {
    }

    /**
     * Writes the message of the mail, as James would send it, to a new temporary file. When javax.mail cannot
     * serialise it (a message whose headers an earlier mailet changed is "saved" first, which re-parses a broken
     * multipart and fails), the current header lines and the raw body are copied instead, as James's own
     * repositories do, so the inserter can classify the message and it can be routed unchanged.
     */
    static Path spool(Mail mail, String prefix) throws IOException, MessagingException {
        Path in = Files.createTempFile(prefix, ".eml");
        try {
            write(mail, () -> Files.newOutputStream(in));
        } catch (IOException | MessagingException | RuntimeException e) {
            Files.deleteIfExists(in);
            throw e;
        }
        return in;
    }

    /**
     * A message parsed from a shared file stream that keeps that stream reachable: its content is a sub-stream of
     * it, and an unreachable {@code SharedFileInputStream} is closed by its finalizer, which would close the
     * content too ("Stream Closed") in a container that keeps the message object.
     */
    private static final class FileBackedMessage extends MimeMessage {
        @SuppressWarnings("unused")
        private final SharedFileInputStream source;

        FileBackedMessage(SharedFileInputStream source) throws MessagingException {
            super(SESSION, source);
            this.source = source;
        }
    }

    /**
     * {@link #spool} into the heap, for small messages (no temporary files to create, read and delete). {@code bodySize}
     * is a hint; the header block is expected to fit in {@link HeapBuffer#HEADER_ROOM} more (else the buffer grows once).
     */
    static HeapBuffer bytes(Mail mail, int bodySize) throws IOException, MessagingException {
        HeapBuffer o = new HeapBuffer(Math.max(bodySize, 0) + HeapBuffer.HEADER_ROOM, 0);
        write(mail, () -> {
            o.reset();
            return o;
        });
        return o;
    }

    /** Opens (again) the target of {@link #write}: each call starts it empty. */
    private interface Target {
        OutputStream open() throws IOException;
    }

    /** {@code writeTo}, or when javax.mail cannot serialise the message the header lines and raw body (see spool). */
    private static void write(Mail mail, Target target) throws IOException, MessagingException {
        try (OutputStream o = target.open()) {
            MessageWriter.writeTo(mail.getMessage(), o);
        } catch (MessagingException e) {
            try (OutputStream o = target.open()) {
                writeRaw(mail.getMessage(), o);
            } catch (IOException | MessagingException | RuntimeException again) {
                e.addSuppressed(again);
                throw e;
            }
        }
    }

    private static void writeRaw(MimeMessage message, OutputStream o) throws IOException, MessagingException {
        java.util.Enumeration<String> lines = message.getAllHeaderLines();
        while (lines.hasMoreElements()) {
            o.write((lines.nextElement() + "\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        o.write('\r');
        o.write('\n');
        try (java.io.InputStream body = message.getRawInputStream()) {
            body.transferTo(o);
        }
    }

    /**
     * Replaces the mail's message with the raw bytes of {@code file} and deletes the file once the container
     * holds its own copy (MailImpl). A container that keeps the object itself (test fakes) reads the file
     * lazily, so the file is then deleted at JVM exit.
     */
    static void replace(Mail mail, Path file) throws IOException, MessagingException {
        SharedFileInputStream in = new SharedFileInputStream(file.toFile());
        MimeMessage message;
        try {
            message = new FileBackedMessage(in);
        } catch (MessagingException | RuntimeException e) {
            in.close();
            Files.deleteIfExists(file);
            throw e;
        }
        mail.setMessage(message);
        if (mail.getMessage() != message) {
            in.close();
            Files.deleteIfExists(file);
        } else {
            file.toFile().deleteOnExit();
        }
    }
}
