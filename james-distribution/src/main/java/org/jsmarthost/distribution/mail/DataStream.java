package org.jsmarthost.distribution.mail;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The DATA stream of an SMTP transaction: the bytes javax.mail's {@code SMTPOutputStream} writes (a line break of
 * any kind, CR, LF or CRLF, becomes CRLF; a line starting with "." gets a second one), in one pass.
 *
 * <p>Why: {@code SMTPOutputStream} looks at every byte of the message twice (dot-stuffing, then its parent
 * {@code CRLFOutputStream} for line breaks) and hands each line to the connection's synchronized
 * {@code BufferedOutputStream} in two calls; at 50 KB that was 6.9 % of the Java samples of the full chain. This
 * stream finds line breaks in runs, collects the output in its own buffer and passes it on in large pieces.
 *
 * <p>State is the last byte written ({@code -1}: none), as in {@code SMTPOutputStream}: a "." right after a CR, an LF
 * or at the start is doubled, and {@link #ensureAtBOL()} ends an unfinished last line. One difference, on purpose:
 * javax.mail keeps the last byte of a {@code write(byte[])} as a signed value, so a byte 0xFF ending one write looks
 * like "nothing written yet" and a "." starting the next write gets a second one in the middle of a line, which the
 * receiver keeps; here a "." is doubled only at the start of a line. {@link #flush()} does nothing
 * (like {@code SMTPOutputStream}: the transport flushes after the final "."); {@link #drain()} hands the buffered
 * bytes to the connection's stream.
 */
final class DataStream extends OutputStream {
    private final OutputStream out;
    private final byte[] buf = new byte[16 * 1024];
    private int n;
    private int last = -1;

    DataStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        int end = off + len;
        int i = off;
        while (i < end) {
            byte c = b[i];
            if (c == '\r') {
                newline();
                last = '\r';
                i++;
            } else if (c == '\n') {
                if (last != '\r') {
                    newline();
                }
                last = '\n';
                i++;
            } else {
                if (c == '.' && (last == '\r' || last == '\n' || last == -1)) {
                    put((byte) '.');
                }
                int j = i + 1;
                while (j < end && b[j] != '\r' && b[j] != '\n') {
                    j++;
                }
                put(b, i, j - i);
                last = b[j - 1] & 0xff; // 0xFF must not read as -1 ("nothing written")
                i = j;
            }
        }
    }

    /** Ends an unfinished last line with CRLF (SMTPOutputStream.ensureAtBOL). */
    void ensureAtBOL() throws IOException {
        if (last != -1 && last != '\r' && last != '\n') {
            newline();
            last = '\n';
        }
    }

    /** Does nothing, like SMTPOutputStream.flush (a writer's flush must not push half a message to the peer). */
    @Override
    public void flush() {
    }

    /** Hands everything buffered to the connection's stream (not flushed). */
    void drain() throws IOException {
        if (n > 0) {
            out.write(buf, 0, n);
            n = 0;
        }
    }

    private void newline() throws IOException {
        if (buf.length - n < 2) {
            drain();
        }
        buf[n++] = '\r';
        buf[n++] = '\n';
    }

    private void put(byte c) throws IOException {
        if (n == buf.length) {
            drain();
        }
        buf[n++] = c;
    }

    private void put(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (n == buf.length) {
                drain();
            }
            int k = Math.min(len, buf.length - n);
            System.arraycopy(b, off, buf, n, k);
            n += k;
            off += k;
            len -= k;
        }
    }
}
