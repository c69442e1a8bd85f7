package org.jsmarthost.core.mime;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A re-readable message: a file (read with positional reads, never loaded whole) or a byte array. */
abstract class RawSource implements Closeable {

    abstract long size();

    /** Stream over [from, to). */
    abstract InputStream open(long from, long to) throws IOException;

    byte[] read(long from, long to) throws IOException {
        long n = to - from;
        if (n > Integer.MAX_VALUE - 16) {
            throw new IOException("range too large: " + n);
        }
        try (InputStream in = open(from, to)) {
            // one array of the range's size: readAllBytes would gather chunks and copy them (twice the memory)
            byte[] b = new byte[(int) n];
            int got = in.readNBytes(b, 0, b.length);
            return got == b.length ? b : java.util.Arrays.copyOf(b, got);
        }
    }

    @Override
    public void close() throws IOException {
    }

    /**
     * The text of [from, to) in {@code cs}, malformed input replaced (as {@code new String(bytes, cs)}). An array
     * source builds it from its array, without a copy of the range first.
     */
    String text(long from, long to, java.nio.charset.Charset cs) throws IOException {
        return new String(read(from, to), cs);
    }

    /** The array holding the whole message from index {@link #arrayOffset()} on, or null (a file). Never changed. */
    byte[] array() {
        return null;
    }

    int arrayOffset() {
        return 0;
    }

    static RawSource of(byte[] b) {
        return of(b, 0, b.length);
    }

    /** The message {@code b[offset .. offset + length)}; the array is read, never changed. */
    static RawSource of(byte[] b, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > b.length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + b.length);
        }
        return new RawSource() {
            @Override
            long size() {
                return length;
            }

            @Override
            InputStream open(long from, long to) {
                return new ByteArrayInputStream(b, offset + (int) from, (int) (to - from));
            }

            @Override
            byte[] read(long from, long to) {
                return java.util.Arrays.copyOfRange(b, offset + (int) from, offset + (int) to);
            }

            @Override
            String text(long from, long to, java.nio.charset.Charset cs) {
                return new String(b, offset + (int) from, (int) (to - from), cs);
            }

            @Override
            byte[] array() {
                return b;
            }

            @Override
            int arrayOffset() {
                return offset;
            }
        };
    }

    static RawSource of(Path p) throws IOException {
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
        long size = ch.size();
        return new RawSource() {
            @Override
            long size() {
                return size;
            }

            @Override
            InputStream open(long from, long to) {
                return new InputStream() {
                    long pos = from;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        int n = read(one, 0, 1);
                        return n < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (len == 0) {
                            // InputStream contract: a zero-length read returns 0, not end of stream
                            // (readAllBytes asks for 0 bytes whenever its 8 KiB buffer is full)
                            return 0;
                        }
                        if (pos >= to) {
                            return -1;
                        }
                        int want = (int) Math.min(len, to - pos);
                        int n = ch.read(ByteBuffer.wrap(b, off, want), pos);
                        if (n < 0) {
                            throw new java.io.EOFException("message file ends at " + pos + ", expected " + to + " bytes");
                        }
                        pos += n;
                        return n;
                    }
                };
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }
}
