package org.jsmarthost.core;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Random;

/** A stream over part of an array whose bulk reads return 1 to {@code most} bytes: readers must not assume more. */
public final class ShortReads {
    private ShortReads() {
    }

    public static InputStream of(byte[] b, int off, int len, int most, Random r) {
        ByteArrayInputStream in = new ByteArrayInputStream(b, off, len);
        return new InputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] buf, int at, int n) {
                return in.read(buf, at, Math.min(n, 1 + r.nextInt(most)));
            }
        };
    }
}
