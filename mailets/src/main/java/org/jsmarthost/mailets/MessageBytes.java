package org.jsmarthost.mailets;

import java.io.InputStream;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.SharedInputStream;

import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.mailet.Mail;

/**
 * A message held as bytes in the heap, the way a pack mailet hands a rewritten message back to James.
 *
 * <p>{@link #replace(Mail, byte[])} gives James the bytes themselves as the message's source
 * ({@code MailImpl.setMessageContent}): no copy, no re-parse, and James writes the message exactly as these bytes
 * (its {@code MimeMessageWrapper} copies an unchanged source as it is). {@code Mail.setMessage} would serialise the
 * new message into a copy of its own first. Other {@link Mail} implementations (test fakes) get a
 * {@link MimeMessage} parsed from the bytes.
 *
 * <p>The bytes are read through {@link Stream}, an unsynchronized {@link SharedInputStream}: James parses the
 * header block of the source again every time it writes an unchanged message (queue, archive, DKIM, delivery), and
 * javax.mail's line reader takes it one byte per call; {@code SharedByteArrayInputStream.read()} is
 * {@code synchronized}, which costs two atomic operations per byte since the JDK dropped biased locking.
 */
public final class MessageBytes {
    private static final Session SESSION = Session.getInstance(new Properties());

    private MessageBytes() {
    }

    /** Makes {@code message} (never changed afterwards) the mail's message. */
    public static void replace(Mail mail, byte[] message) throws MessagingException {
        replace(mail, message, 0, message.length);
    }

    /** Makes {@code buf[offset .. offset + length)} (never changed afterwards) the mail's message. */
    public static void replace(Mail mail, byte[] buf, int offset, int length) throws MessagingException {
        if (mail instanceof MailImpl) {
            ((MailImpl) mail).setMessageContent(new Source(mail.getName(), buf, offset, length));
        } else {
            mail.setMessage(new MimeMessage(SESSION, new Stream(buf, offset, length)));
        }
    }

    /** A message source over bytes that nobody changes: a whole array or a range of one. */
    public static final class Source implements MimeMessageSource {
        private final String id;
        private final byte[] content;
        private final int offset;
        private final int length;

        public Source(String id, byte[] content) {
            this(id, content, 0, content.length);
        }

        public Source(String id, byte[] content, int offset, int length) {
            if (offset < 0 || length < 0 || offset + length > content.length) {
                throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + content.length);
            }
            this.id = id;
            this.content = content;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public String getSourceId() {
            return id;
        }

        @Override
        public InputStream getInputStream() {
            return new Stream(content, offset, length);
        }

        @Override
        public long getMessageSize() {
            return length;
        }
    }

    /**
     * A {@link SharedInputStream} over a range of an array that it never changes; not thread-safe (each reader gets
     * its own, from {@link Source#getInputStream()} or {@link #newStream}). Semantics of
     * {@code javax.mail.util.SharedByteArrayInputStream}, without its locks.
     */
    public static final class Stream extends InputStream implements SharedInputStream {
        private final byte[] buf;
        private final int start;
        private final int end;
        private int pos;
        private int mark;

        public Stream(byte[] buf, int offset, int length) {
            if (offset < 0 || length < 0 || offset + length > buf.length) {
                throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + buf.length);
            }
            this.buf = buf;
            this.start = offset;
            this.end = offset + length;
            this.pos = offset;
            this.mark = offset;
        }

        @Override
        public int read() {
            return pos < end ? buf[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (off < 0 || len < 0 || len > b.length - off) {
                throw new IndexOutOfBoundsException();
            }
            if (pos >= end) {
                return len == 0 ? 0 : -1;
            }
            int n = Math.min(len, end - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long k = Math.max(0, Math.min(n, end - pos));
            pos += (int) k;
            return k;
        }

        @Override
        public int available() {
            return end - pos;
        }

        @Override
        public boolean markSupported() {
            return true;
        }

        @Override
        public void mark(int readLimit) {
            mark = pos;
        }

        @Override
        public void reset() {
            pos = mark;
        }

        @Override
        public long getPosition() {
            return pos - start;
        }

        @Override
        public InputStream newStream(long from, long to) {
            if (from < 0) {
                throw new IllegalArgumentException("start < 0");
            }
            long length = end - start;
            long first = Math.min(from, length);
            long stop = to == -1 ? length : Math.max(first, Math.min(to, length)); // clamped like ByteArrayInputStream
            return new Stream(buf, start + (int) first, (int) (stop - first));
        }
    }
}
