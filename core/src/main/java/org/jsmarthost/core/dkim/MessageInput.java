package org.jsmarthost.core.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The message as the DKIM signer and verifier read it: the header section byte by byte, with one byte of pushback
 * (a CR not followed by LF), then the body in bulk. Unlike {@code PushbackInputStream} over a {@code
 * BufferedInputStream} it takes no lock per byte (both JDK classes synchronise every {@code read()}), and its
 * buffer is 8 KiB instead of 64 KiB per message. Not thread-safe; not closed by its users (the caller owns {@code in}).
 */
final class MessageInput extends InputStream {
    private final InputStream in;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int len;

    MessageInput(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        if (pos == len && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** Gives back the byte the last {@link #read()} returned; only right after a {@code read()} that returned it. */
    void unread(int b) {
        buf[--pos] = (byte) b;
    }

    @Override
    public int read(byte[] b, int off, int n) throws IOException {
        if (n == 0) {
            return 0;
        }
        if (pos < len) {
            int k = Math.min(n, len - pos);
            System.arraycopy(buf, pos, b, off, k);
            pos += k;
            return k;
        }
        return in.read(b, off, n);
    }

    @Override
    public long transferTo(OutputStream out) throws IOException {
        long done = 0;
        if (pos < len) {
            out.write(buf, pos, len - pos);
            done = len - pos;
            pos = len;
        }
        byte[] chunk = buf;
        int n;
        while ((n = in.read(chunk, 0, chunk.length)) >= 0) {
            if (n > 0) {
                out.write(chunk, 0, n);
                done += n;
            }
        }
        pos = 0;
        len = 0;
        return done;
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            pos = 0;
            len = 0;
            return false;
        }
        pos = 0;
        len = n;
        return true;
    }
}
