package org.jsmarthost.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes at a time: a {@code long} read from a byte array (any offset) and exact tests whether any of its
 * bytes is zero, equal to a given byte, or has the high bit set. For loops over message bodies that look for a few
 * byte values (line breaks, white space, 8bit) and can skip words that hold none of them.
 */
public final class ByteWords {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private ByteWords() {
    }

    /** The eight bytes {@code b[at .. at + 7]}; {@code at + 8 <= b.length}. */
    public static long word(byte[] b, int at) {
        return (long) LONGS.get(b, at);
    }

    /** A word with {@code c} in each byte, for {@link #hasByte}. */
    public static long spread(byte c) {
        return (c & 0xffL) * ONES;
    }

    /** Whether some byte of {@code w} is zero (exact: the classic test never reports a zero that is not there). */
    public static boolean hasZero(long w) {
        return ((w - ONES) & ~w & HIGHS) != 0;
    }

    /**
     * 0x80 in exactly the bytes of {@code w} that are zero, 0 in all others (unlike {@link #hasZero}'s expression,
     * whose borrow can mark a 0x01 above a zero byte). Byte {@code k} of the mask is byte {@code b[at + k]} of
     * {@link #word}: {@code Long.numberOfTrailingZeros(mask) >>> 3} is the index of the first zero byte.
     */
    public static long zeroMask(long w) {
        return ~(((w & LOWS) + LOWS) | w | LOWS);
    }

    private static final long LOWS = 0x7f7f7f7f7f7f7f7fL;

    /** Whether some byte of {@code w} equals the byte spread over {@code spread} ({@link #spread}). */
    public static boolean hasByte(long w, long spread) {
        return hasZero(w ^ spread);
    }

    /** Whether some byte of {@code w} is above 127. */
    public static boolean hasHighBit(long w) {
        return (w & HIGHS) != 0;
    }
}
