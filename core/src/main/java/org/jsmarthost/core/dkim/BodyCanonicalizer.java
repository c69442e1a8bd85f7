package org.jsmarthost.core.dkim;

import java.io.IOException;
import java.io.OutputStream;

import org.jsmarthost.core.ByteWords;

/**
 * Streaming body canonicalisers (RFC 6376 3.4.3 and 3.4.4). State survives across write calls,
 * so a CRLF split between two buffers, or a run of white space, is handled the same as in one buffer.
 * Trailing empty lines are held back as a count and only emitted when more content follows.
 */
abstract class BodyCanonicalizer extends OutputStream {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final OutputStream sink;
    private final byte[] buf = new byte[8192];
    private int len;
    private boolean lastWasCr;
    /** Line breaks seen but not yet emitted (trailing empty lines are dropped at the end). */
    private long pendingEols;
    /** Some non-empty line content was emitted. */
    private boolean anyContent;
    private boolean closed;

    BodyCanonicalizer(OutputStream sink) {
        this.sink = sink;
    }

    @Override
    public final void write(int b) throws IOException {
        process((byte) b);
    }

    /**
     * Byte by byte where the state can change; a run of plain content bytes (for relaxed: neither line break nor
     * white space; for simple: no line break) after the first of them is copied as it is, since the first one
     * leaves nothing pending (no held-back line break, no white space, no CR). Same output as {@link #write(int)}
     * byte by byte, whatever the chunking.
     */
    @Override
    public final void write(byte[] b, int off, int length) throws IOException {
        int end = off + length;
        int i = off;
        while (i < end) {
            byte c = b[i++];
            process(c);
            if (isPlain(c)) {
                int run = i;
                while (run + 8 <= end && plainWord(ByteWords.word(b, run))) {
                    run += 8;
                }
                while (run < end && isPlain(b[run])) {
                    run++;
                }
                if (run > i) {
                    emitRun(b, i, run - i);
                    i = run;
                }
            }
        }
    }

    /** A content byte that changes no state: it is emitted as it is once nothing is pending. */
    abstract boolean isPlain(byte b);

    /** Whether all eight bytes of {@code w} are {@link #isPlain plain}. */
    abstract boolean plainWord(long w);

    private static final long CR8 = ByteWords.spread(CR);
    private static final long LF8 = ByteWords.spread(LF);
    private static final long SP8 = ByteWords.spread((byte) ' ');
    private static final long HT8 = ByteWords.spread((byte) '\t');

    private void emitRun(byte[] b, int off, int n) throws IOException {
        if (n > buf.length - len) {
            sink.write(buf, 0, len);
            len = 0;
            if (n >= buf.length) {
                sink.write(b, off, n);
                return;
            }
        }
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    private void process(byte b) throws IOException {
        if (closed) {
            throw new IOException("body canonicalizer is closed");
        }
        if (b == LF) {
            if (!lastWasCr) {
                endOfLine();
            }
            lastWasCr = false;
        } else if (b == CR) {
            endOfLine();
            lastWasCr = true;
        } else {
            lastWasCr = false;
            content(b);
        }
    }

    /** A line break in the input. */
    void endOfLine() {
        pendingEols++;
    }

    /** A non-line-break byte in the input. */
    abstract void content(byte b) throws IOException;

    /** Emits a byte of a non-empty line, first emitting the line breaks held back. */
    final void emitContent(byte b) throws IOException {
        while (pendingEols > 0) {
            emit(CR);
            emit(LF);
            pendingEols--;
        }
        anyContent = true;
        emit(b);
    }

    private void emit(byte b) throws IOException {
        if (len == buf.length) {
            sink.write(buf, 0, len);
            len = 0;
        }
        buf[len++] = b;
    }

    /** Whether the canonical body is empty when no content was seen (relaxed) or a lone CRLF (simple). */
    abstract boolean emptyBodyIsCrlf();

    @Override
    public final void flush() throws IOException {
        sink.write(buf, 0, len);
        len = 0;
        sink.flush();
    }

    @Override
    public final void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (anyContent || emptyBodyIsCrlf()) {
            emit(CR);
            emit(LF);
        }
        sink.write(buf, 0, len);
        len = 0;
        sink.close();
    }

    /** {@code simple}: lines unchanged; trailing empty lines dropped; empty body becomes CRLF. */
    static final class Simple extends BodyCanonicalizer {
        Simple(OutputStream sink) {
            super(sink);
        }

        @Override
        void content(byte b) throws IOException {
            emitContent(b);
        }

        @Override
        boolean isPlain(byte b) {
            return b != CR && b != LF;
        }

        @Override
        boolean plainWord(long w) {
            return !ByteWords.hasByte(w, CR8) && !ByteWords.hasByte(w, LF8);
        }

        @Override
        boolean emptyBodyIsCrlf() {
            return true;
        }
    }

    /**
     * {@code relaxed}: white-space runs become one SP, white space at line end is removed, trailing
     * empty lines are dropped; empty body stays empty.
     */
    static final class Relaxed extends BodyCanonicalizer {
        private boolean pendingWsp;

        Relaxed(OutputStream sink) {
            super(sink);
        }

        @Override
        void endOfLine() {
            pendingWsp = false;
            super.endOfLine();
        }

        @Override
        void content(byte b) throws IOException {
            if (b == ' ' || b == '\t') {
                pendingWsp = true;
                return;
            }
            if (pendingWsp) {
                pendingWsp = false;
                emitContent((byte) ' ');
            }
            emitContent(b);
        }

        @Override
        boolean isPlain(byte b) {
            return b != CR && b != LF && b != ' ' && b != '\t';
        }

        @Override
        boolean plainWord(long w) {
            return !ByteWords.hasByte(w, CR8) && !ByteWords.hasByte(w, LF8) && !ByteWords.hasByte(w, SP8)
                    && !ByteWords.hasByte(w, HT8);
        }

        @Override
        boolean emptyBodyIsCrlf() {
            return false;
        }
    }
}
