package org.jsmarthost.mailets;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;

/**
 * A message written into the heap and used where it lies: unlike {@code ByteArrayOutputStream} there is no
 * {@code toByteArray()} copy, and room can be kept free in front of the content, so header fields put on top later
 * (DKIM signatures) need no new array either.
 *
 * <p>Why: a 50 KB mail used to be copied whole four times more than needed on its way through the signer and
 * the disclaimer (each {@code toByteArray()}, each growth of an undersized buffer, the signatures joined to the
 * message); in a profile of the full chain at 50 KB the disclaimer alone allocated 16 times the message size, and
 * every allocated byte is zeroed, copied and collected.
 *
 * <p>Not thread-safe. The content is {@code array()[start() .. start() + length())}; callers never change it once
 * it has been handed on ({@link #stream()}, {@link #becomeMessageOf}).
 */
public final class HeapBuffer extends OutputStream {
    /**
     * Room for a message's header block on top of its body size (javax.mail's {@code getSize()}), when a message is
     * written into a new buffer: a relayed mail's header block is 1-4 KiB; a larger one makes the buffer grow once.
     */
    public static final int HEADER_ROOM = 8 * 1024;

    private byte[] buf;
    private int start;
    private int end;

    /**
     * @param expected the expected content length (a hint: the buffer grows when it is too small)
     * @param front bytes kept free in front of the content, for {@link #prepend}
     */
    public HeapBuffer(int expected, int front) {
        if (expected < 0 || front < 0 || (long) expected + front > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("expected " + expected + ", front " + front);
        }
        this.buf = new byte[front + Math.max(expected, 64)];
        this.start = front;
        this.end = front;
    }

    @Override
    public void write(int b) {
        room(1);
        buf[end++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (off < 0 || len < 0 || len > b.length - off) {
            throw new IndexOutOfBoundsException("range " + off + "+" + len + " of " + b.length);
        }
        room(len);
        System.arraycopy(b, off, buf, end, len);
        end += len;
    }

    private void room(int more) {
        if (more <= buf.length - end) {
            return;
        }
        long need = (long) end + more;
        if (need > Integer.MAX_VALUE - 16) {
            throw new OutOfMemoryError("message too large for the heap buffer: " + need + " bytes");
        }
        buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, (long) buf.length * 2)));
    }

    /** Empties the buffer (the room in front stays). */
    public void reset() {
        end = start;
    }

    /** Puts {@code b} in front of the content: into the room kept free when it fits, else into a new array. */
    public void prepend(byte[] b) {
        if (b.length <= start) {
            start -= b.length;
            System.arraycopy(b, 0, buf, start, b.length);
            return;
        }
        int length = length();
        if ((long) b.length + length > Integer.MAX_VALUE - 16) {
            throw new OutOfMemoryError("message too large for the heap buffer");
        }
        byte[] joined = new byte[b.length + length];
        System.arraycopy(b, 0, joined, 0, b.length);
        System.arraycopy(buf, start, joined, b.length, length);
        buf = joined;
        start = 0;
        end = joined.length;
    }

    public byte[] array() {
        return buf;
    }

    public int start() {
        return start;
    }

    public int length() {
        return end - start;
    }

    /** The content as a copy of its own (tests, and callers that must keep it apart). */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(buf, start, end);
    }

    /** A stream over the content, without a copy. */
    public InputStream stream() {
        return new MessageBytes.Stream(buf, start, length());
    }

    /** The content becomes the mail's message ({@link MessageBytes#replace(Mail, byte[], int, int)}); no copy. */
    public void becomeMessageOf(Mail mail) throws MessagingException {
        MessageBytes.replace(mail, buf, start, length());
    }
}
