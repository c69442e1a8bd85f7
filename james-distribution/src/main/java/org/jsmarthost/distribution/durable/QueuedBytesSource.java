package org.jsmarthost.distribution.durable;

import java.io.InputStream;

import javax.jms.JMSException;
import javax.jms.ObjectMessage;
import javax.mail.internet.SharedInputStream;

import org.apache.james.lifecycle.api.Disposable;
import org.apache.james.server.core.MimeMessageSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes of a small mail read from the queue (James keeps them as the {@code byte[]} object of the JMS
 * message), served like James's own {@code MimeMessageObjectMessageSource} but through an
 * <em>unsynchronized</em> stream.
 *
 * <p>{@link ReaderMailQueue} hands a small mail out over this source ({@code setMessageNoCopy}) instead of James's
 * {@code createMail}, which copies every dequeued message through {@code MailImpl.setMessage}.
 *
 * <p>Why unsynchronized: James's {@code MimeMessageWrapper.writeTo} parses the header block of the source again every time a
 * mail is written whose body was not changed (the queue, every archive capture, DKIM signing and its check,
 * SMTP delivery), and javax.mail's {@code LineInputStream} reads it one byte per call. James's source is a
 * {@code SharedByteArrayInputStream}, whose {@code read()} is {@code synchronized}: without biased locking
 * (gone since JDK 15) every byte costs two atomic operations. In a profile of the DKIM stage 13 % of the Java
 * samples were that {@code read()}.
 *
 * <p>Same contract as James's source: {@link #getInputStream()} is a fresh stream over the same array each time
 * ({@link Stream}, a {@link SharedInputStream}, so javax.mail parses sub-parts without copying),
 * {@link #dispose()} clears the JMS message's body and properties.
 */
final class QueuedBytesSource implements MimeMessageSource, Disposable {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueuedBytesSource.class);

    private final ObjectMessage message;
    private final String id;
    private final byte[] content;

    QueuedBytesSource(ObjectMessage message) throws JMSException {
        this.message = message;
        this.id = message.getJMSMessageID();
        this.content = (byte[]) message.getObject();
    }

    @Override
    public String getSourceId() {
        return id;
    }

    @Override
    public InputStream getInputStream() {
        return new Stream(content, 0, content.length);
    }

    @Override
    public long getMessageSize() {
        return content.length;
    }

    @Override
    public void dispose() {
        try {
            message.clearBody();
        } catch (JMSException e) {
            LOGGER.error("Unable to clear the body of queued message {}", id, e);
        }
        try {
            message.clearProperties();
        } catch (JMSException e) {
            LOGGER.error("Unable to clear the properties of queued message {}", id, e);
        }
    }

    /**
     * A {@link SharedInputStream} over a range of an array that it never changes; not thread-safe (each reader gets
     * its own, from {@link #getInputStream()} or {@link #newStream}). Semantics of
     * {@code javax.mail.util.SharedByteArrayInputStream}, without its locks. The pack's mailets have the same class
     * ({@code org.jsmarthost.mailets.MessageBytes.Stream}); this one is loaded by James's own class loader, which
     * cannot see the extension jars.
     */
    static final class Stream extends InputStream implements SharedInputStream {
        private final byte[] buf;
        private final int start;
        private final int end;
        private int pos;
        private int mark;

        Stream(byte[] buf, int offset, int length) {
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
