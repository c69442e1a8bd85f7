package org.jsmarthost.distribution.durable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

import javax.jms.JMSException;
import javax.jms.ObjectMessage;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.SharedInputStream;

import org.apache.activemq.command.ActiveMQObjectMessage;
import org.apache.activemq.util.ByteSequence;
import org.apache.james.lifecycle.api.Disposable;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.james.server.core.MimeMessageWrapper;
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
 * <p>Why a view of the message content instead of {@code getObject()}: a small mail is queued as the Java
 * serialization of a {@code byte[]} (the content of an {@code ActiveMQObjectMessage}), and {@code getObject()}
 * deserialises it with an {@code ObjectInputStream} into a new array, a full copy of every mail read (2.6 % of all
 * allocated bytes in a profile at 50 KB messages). That serialized form is a fixed prefix ({@link #ARRAY_HEADER},
 * then the array length) followed by the bytes themselves, so when the content has exactly that form (an
 * uncompressed {@code ActiveMQObjectMessage}, the prefix byte for byte, a length that matches what follows) the
 * mail is served from the content's own array, offset past the prefix ({@link #mailBytes}). Anything else (a
 * compressed message, another JMS provider's message, any other content) is read with {@code getObject()} as
 * James does. The content array is shared with ActiveMQ (the broker's copy of the message may hold the same
 * array): it is only ever read here. {@link ReaderMailQueue} writes small mails in this form without the
 * intermediate copies ({@link #serialize}).
 *
 * <p>Same contract as James's source: {@link #getInputStream()} is a fresh stream over the same bytes each time
 * ({@link Stream}, a {@link SharedInputStream}, so javax.mail parses sub-parts without copying),
 * {@link #getMessageSize()} is the mail's length (not the content's), {@link #dispose()} clears the JMS message's
 * body and properties (the bytes stay readable: this source keeps its own reference to the array).
 */
final class QueuedBytesSource implements MimeMessageSource, Disposable {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueuedBytesSource.class);

    /**
     * What {@code ObjectOutputStream.writeObject} writes for a {@code byte[]} before its length: stream magic and
     * version, {@code TC_ARRAY}, {@code TC_CLASSDESC} of class {@code [B} with its serialVersionUID, flags
     * {@code SC_SERIALIZABLE}, no fields, {@code TC_ENDBLOCKDATA}, {@code TC_NULL} (no superclass). The length
     * follows as a big-endian int, then the bytes. QueuedBytesSourceTest checks it against ObjectOutputStream.
     */
    static final byte[] ARRAY_HEADER = {
        (byte) 0xac, (byte) 0xed, 0x00, 0x05, // STREAM_MAGIC, STREAM_VERSION
        0x75, 0x72, 0x00, 0x02, '[', 'B', // TC_ARRAY, TC_CLASSDESC, class name "[B"
        (byte) 0xac, (byte) 0xf3, 0x17, (byte) 0xf8, 0x06, 0x08, 0x54, (byte) 0xe0, // serialVersionUID of byte[]
        0x02, 0x00, 0x00, // SC_SERIALIZABLE, no fields
        0x78, 0x70, // TC_ENDBLOCKDATA, TC_NULL
    };
    /** Bytes before the mail: {@link #ARRAY_HEADER} and the length. */
    static final int PREFIX_LENGTH = ARRAY_HEADER.length + 4;
    /**
     * What ActiveMQ's {@code ActiveMQObjectMessage.storeContent} writes after the object: it calls
     * {@code ObjectOutputStream.reset()}, which writes {@code TC_RESET}. {@code readObject} stops before it.
     */
    static final byte TC_RESET = 0x79;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

    private final ObjectMessage message;
    private final String id;
    private final byte[] content;
    private final int offset;
    private final int length;
    private final boolean inPlace;

    QueuedBytesSource(ObjectMessage message) throws JMSException {
        this.message = message;
        this.id = message.getJMSMessageID();
        ByteSequence view = mailBytes(message);
        this.inPlace = view != null;
        if (view != null) {
            this.content = view.getData();
            this.offset = view.getOffset();
            this.length = view.getLength();
        } else {
            byte[] bytes = (byte[]) message.getObject();
            this.content = bytes;
            this.offset = 0;
            this.length = bytes.length;
        }
    }

    /**
     * The mail inside the message's content, without copying, or null when the content is not an uncompressed
     * serialized {@code byte[]} (then {@code getObject()} is the way to read it). Accepts the form ActiveMQ itself
     * writes (a trailing {@link #TC_RESET}) and the form without it.
     */
    static ByteSequence mailBytes(ObjectMessage message) {
        if (!(message instanceof ActiveMQObjectMessage)) {
            return null;
        }
        ActiveMQObjectMessage activeMq = (ActiveMQObjectMessage) message;
        ByteSequence content = activeMq.getContent();
        if (activeMq.isCompressed() || content == null || content.getData() == null) {
            return null;
        }
        byte[] data = content.getData();
        int start = content.getOffset();
        int size = content.getLength();
        if (start < 0 || size < PREFIX_LENGTH || size > data.length - start) {
            return null;
        }
        for (int i = 0; i < ARRAY_HEADER.length; i++) {
            if (data[start + i] != ARRAY_HEADER[i]) {
                return null;
            }
        }
        int declared = readInt(data, start + ARRAY_HEADER.length);
        int rest = size - PREFIX_LENGTH;
        boolean exact = declared == rest;
        boolean reset = declared == rest - 1 && data[start + size - 1] == TC_RESET;
        return declared >= 0 && (exact || reset) ? new ByteSequence(data, start + PREFIX_LENGTH, declared) : null;
    }

    /**
     * A small mail as the content of an {@code ActiveMQObjectMessage}: the bytes ActiveMQ would store for
     * {@code setObject(byte[])} of the mail (prefix, mail, {@link #TC_RESET}), written into one array: the prefix is
     * reserved, the mail is written directly after it, the length patched in. The array starts at
     * {@code sizeHint} plus the prefix and grows if the mail is longer; it is handed over as (array, 0, length),
     * never copied to its exact size (ActiveMQ's own {@code ByteArrayOutputStream.toByteSequence} does the same).
     */
    static ByteSequence serialize(MimeMessage mail, long sizeHint) throws IOException, MessagingException {
        SerializingStream out = new SerializingStream(sizeHint);
        if (!copySource(mail, out)) {
            mail.writeTo(out);
        }
        return out.finish();
    }

    /**
     * Writes the source of an unchanged {@code MimeMessageWrapper} (the mail as received, before any mailet) when
     * that gives exactly {@code writeTo}'s bytes; false, and {@code out} as it was, otherwise.
     *
     * <p>Why: for an unchanged message {@code MimeMessageWrapper.writeTo} parses the header block from the source
     * (javax.mail's line reader, a byte per call) and writes it out again line by line; in a profile of the full
     * chain at 50 KB this was 2.8 % of the server's Java samples at enqueue alone. It gives back the source's bytes
     * exactly when the header block is canonical ({@link #canonicalHeaderEnd}); so the source is copied, its header
     * block checked in place, and on any doubt the copy is dropped and {@code writeTo} does it. The pack's mailets
     * take the same shortcut ({@code org.jsmarthost.mailets.MessageWriter}, the same rule); this class is loaded by
     * James's own class loader, which cannot see the extension jars. QueuedBytesSourceTest checks the result
     * against {@code writeTo} on random header blocks.
     */
    static boolean copySource(MimeMessage mail, SerializingStream out) throws IOException, MessagingException {
        if (!(mail instanceof MimeMessageWrapper) || ((MimeMessageWrapper) mail).isModified()) {
            return false;
        }
        int start = out.count;
        try (InputStream in = ((MimeMessageWrapper) mail).getMessageInputStream()) {
            in.transferTo(out);
        }
        if (canonicalHeaderEnd(out.buf, start, out.count) < 0) {
            out.count = start;
            return false;
        }
        return true;
    }

    /**
     * The end (just after its blank line) of the header block in {@code b[from, to)} if javax.mail's parse and
     * James's re-write give it back byte for byte, else -1: at least one field; only printable US-ASCII, SP and
     * HTAB, every line ended by CRLF (no lone CR or LF); the first line no continuation; no line of white space only.
     */
    static int canonicalHeaderEnd(byte[] b, int from, int to) {
        int line = from;
        boolean blank = true;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '\r') {
                if (i + 1 == to || b[i + 1] != '\n') {
                    return -1;
                }
                if (i == line) {
                    return line == from ? -1 : i + 2;
                }
                if (blank) {
                    return -1;
                }
                line = ++i + 1;
                blank = true;
            } else if (c == ' ' || c == '\t') {
                if (i == from) {
                    return -1;
                }
            } else if (c > 0x20 && c < 0x7f) {
                blank = false;
            } else {
                return -1;
            }
        }
        return -1;
    }

    private static int readInt(byte[] data, int at) {
        return (data[at] & 0xff) << 24 | (data[at + 1] & 0xff) << 16 | (data[at + 2] & 0xff) << 8 | data[at + 3] & 0xff;
    }

    @Override
    public String getSourceId() {
        return id;
    }

    @Override
    public InputStream getInputStream() {
        return new Stream(content, offset, length);
    }

    /** The mail's length: the content minus the serialization prefix when read as a view. */
    @Override
    public long getMessageSize() {
        return length;
    }

    /** Whether the mail is served from the message content's array (no {@code getObject()} copy). For tests. */
    boolean readsContentInPlace() {
        return inPlace;
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
     * The output side of {@link #serialize}: an array that starts with {@link #ARRAY_HEADER} and room for the length,
     * takes the mail's bytes after it and doubles when full. Used once.
     */
    static final class SerializingStream extends OutputStream {
        private byte[] buf;
        private int count;

        SerializingStream(long sizeHint) {
            long capacity = PREFIX_LENGTH + Math.max(0, sizeHint) + 1;
            buf = new byte[(int) Math.min(capacity, MAX_ARRAY)];
            System.arraycopy(ARRAY_HEADER, 0, buf, 0, ARRAY_HEADER.length);
            count = PREFIX_LENGTH;
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (off < 0 || len < 0 || len > b.length - off) {
                throw new IndexOutOfBoundsException();
            }
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void ensure(int more) {
            if (more <= buf.length - count) {
                return;
            }
            if (more > MAX_ARRAY - count) {
                throw new OutOfMemoryError("a queued mail above " + MAX_ARRAY + " bytes");
            }
            long grown = Math.max((long) buf.length * 2, (long) count + more);
            buf = Arrays.copyOf(buf, (int) Math.min(grown, MAX_ARRAY));
        }

        ByteSequence finish() {
            int mail = count - PREFIX_LENGTH;
            write(TC_RESET);
            buf[ARRAY_HEADER.length] = (byte) (mail >>> 24);
            buf[ARRAY_HEADER.length + 1] = (byte) (mail >>> 16);
            buf[ARRAY_HEADER.length + 2] = (byte) (mail >>> 8);
            buf[ARRAY_HEADER.length + 3] = (byte) mail;
            return new ByteSequence(buf, 0, count);
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
