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

    static RawSource of(byte[] b) {
        return new RawSource() {
            @Override
            long size() {
                return b.length;
            }

            @Override
            InputStream open(long from, long to) {
                return new ByteArrayInputStream(b, (int) from, (int) (to - from));
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
