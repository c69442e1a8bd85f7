package org.jsmarthost.distribution.durable;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.util.SharedFileInputStream;

import org.apache.james.server.core.MimeMessageSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the durable queues keep the bytes of large mails: one file per queued mail, written and fsync'ed
 * (file and directory) before the queue message that names it is sent, deleted after the mail has left the
 * queue. Small mails travel inside the KahaDB journal record instead; a large one there would be built in
 * the heap several times over (James serialises it into a growing byte array, then into the JMS message),
 * which ran a 256 MB server out of memory on a 50 MB mail.
 *
 * <p>Files are named {@code <uuid>.eml}; a file is written as {@code <uuid>.tmp} and renamed once complete,
 * so a crash leaves no half file under a final name. {@link #removeIncomplete()} clears the {@code .tmp}
 * leftovers at start-up. A crash between the dequeue commit and the deletion leaves a {@code .eml} file that
 * no queued mail names; such files are never read again and are listed at start-up
 * ({@link #count()}) for the admin to remove.
 */
final class QueueBodyStore {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueueBodyStore.class);
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.eml");
    /** Mails of at least this many bytes (or of unknown size) go to a file. */
    static final long DEFAULT_THRESHOLD = 256 * 1024;

    private final File directory;
    private final long threshold;

    QueueBodyStore(File directory, long threshold) {
        if (!directory.isDirectory() && !directory.mkdirs()) {
            throw new IllegalStateException("cannot create the queue body store " + directory);
        }
        this.directory = directory;
        this.threshold = threshold;
    }

    boolean isLarge(long size) {
        return size < 0 || size >= threshold;
    }

    /** Writes the message, fsyncs file and directory; returns the file name to put in the queue message. */
    String write(MimeMessage message) throws IOException, MessagingException {
        String name = UUID.randomUUID() + ".eml";
        File temp = new File(directory, name.replace(".eml", ".tmp"));
        File target = new File(directory, name);
        try (FileOutputStream file = new FileOutputStream(temp);
             OutputStream out = new BufferedOutputStream(file, 64 * 1024)) {
            message.writeTo(out);
            out.flush();
            file.getFD().sync();
        } catch (IOException | MessagingException | RuntimeException e) {
            Files.deleteIfExists(temp.toPath());
            throw e;
        }
        Files.move(temp.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE);
        syncDirectory();
        return name;
    }

    private void syncDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(directory.toPath(), StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** The file of a name taken from a queue message; refuses anything but a name this store made. */
    File file(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a queue body file name: " + name);
        }
        return new File(directory, name);
    }

    /** Deletes a body once the mail that named it has left the queue; a failure is logged, never thrown. */
    void delete(String name) {
        try {
            Files.deleteIfExists(file(name).toPath());
        } catch (IOException | RuntimeException e) {
            LOGGER.warn("Cannot delete the queue body file {}: {}", name, e.toString());
        }
    }

    /** Removes the {@code .tmp} files of writes a crash interrupted (no queue message names them). */
    int removeIncomplete() {
        File[] leftovers = directory.listFiles((dir, name) -> name.endsWith(".tmp"));
        int removed = 0;
        for (File leftover : leftovers == null ? new File[0] : leftovers) {
            if (leftover.delete()) {
                removed++;
            }
        }
        return removed;
    }

    int count() {
        String[] names = directory.list((dir, name) -> name.endsWith(".eml"));
        return names == null ? 0 : names.length;
    }

    File directory() {
        return directory;
    }

    /** The bytes of a queued large mail, read from its file each time James asks (never held in the heap). */
    static final class FileSource implements MimeMessageSource {
        private final File file;

        FileSource(File file) throws IOException {
            if (!file.isFile()) {
                throw new IOException("the queue body file " + file + " is missing");
            }
            this.file = file;
        }

        @Override
        public String getSourceId() {
            return file.getAbsolutePath();
        }

        /** A shared stream: javax.mail then parses the content in place instead of copying it into a byte array. */
        @Override
        public InputStream getInputStream() throws IOException {
            return new SharedFileInputStream(file, 64 * 1024);
        }

        @Override
        public long getMessageSize() {
            return file.length();
        }
    }
}
