package org.jsmarthost.core.mime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import javax.mail.MessagingException;
import javax.mail.internet.MimeUtility;

import org.jsmarthost.core.ByteWords;

/** Transfer-encoding and charset helpers for the one part being changed. */
final class BodyCodec {
    private static final long LF8 = ByteWords.spread((byte) '\n');
    private static final long CR8 = ByteWords.spread((byte) '\r');

    private BodyCodec() {
    }

    /** Thrown when a part must be changed but cannot be decoded. */
    static final class UndecodableException extends Exception {
        private static final long serialVersionUID = 1L;

        UndecodableException(String msg) {
            super(msg);
        }
    }

    static boolean isIdentity(String cte) {
        return cte.equals("7bit") || cte.equals("8bit") || cte.equals("binary");
    }

    /** Decodes the transfer encoding (javax.mail decoders for base64 and quoted-printable). */
    static byte[] decode(byte[] raw, String cte) throws UndecodableException {
        if (isIdentity(cte)) {
            return raw;
        }
        if (!cte.equals("base64") && !cte.equals("quoted-printable")) {
            throw new UndecodableException("unsupported Content-Transfer-Encoding '" + cte + "'");
        }
        try (InputStream in = MimeUtility.decode(new java.io.ByteArrayInputStream(raw), cte)) {
            return in.readAllBytes();
        } catch (MessagingException | IOException e) {
            throw new UndecodableException("cannot decode " + cte + ": " + e.getMessage());
        }
    }

    static Charset charset(String mimeName) throws UndecodableException {
        String name = mimeName == null || mimeName.isBlank() ? "us-ascii" : mimeName.trim();
        // the declared name first: javax.mail maps us-ascii to ISO-8859-1, which would let non-ASCII
        // disclaimer characters into a part still labelled us-ascii
        try {
            return Charset.forName(name);
        } catch (RuntimeException e) {
            try {
                return Charset.forName(MimeUtility.javaCharset(name));
            } catch (RuntimeException e2) {
                throw new UndecodableException("unsupported charset '" + name + "'");
            }
        }
    }

    /**
     * True when ASCII text is encoded as the same single bytes and no multi-byte sequence contains
     * bytes below 0x80 that could fake ASCII markup (so byte-level search for "&lt;/body" is safe).
     */
    static boolean asciiCompatible(Charset cs) {
        String n = cs.name().toUpperCase(Locale.ROOT);
        if (n.startsWith("UTF-16") || n.startsWith("UTF-32") || n.startsWith("ISO-2022") || n.contains("UTF-7")
                || n.equals("X-UTF-16LE-BOM") || n.startsWith("X-UTF-32")) {
            return false;
        }
        String probe = "<>/!-azAZ09 =\r\n";
        return java.util.Arrays.equals(probe.getBytes(cs), probe.getBytes(StandardCharsets.US_ASCII));
    }

    static boolean isUnicode(Charset cs) {
        String n = cs.name().toUpperCase(Locale.ROOT);
        return n.startsWith("UTF-") || n.equals("GB18030");
    }

    /**
     * Whether {@code b} can stay as it is: no line longer than {@code maxLine} bytes (CR not counted) and, with
     * {@code asciiOnly}, no NUL and no byte above 127. One pass, stopping at the first reason against.
     */
    static boolean fitsUnencoded(byte[] b, boolean asciiOnly, int maxLine) {
        int cur = 0;
        int i = 0;
        if (maxLine >= 8) {
            // a word at a time, line breaks included: the bytes before its first LF lengthen the current line, the
            // bytes after its last LF start the next one; lines between two LFs of one word are shorter than 8
            for (; i + 8 <= b.length; i += 8) {
                long w = ByteWords.word(b, i);
                if (asciiOnly && (ByteWords.hasHighBit(w) || ByteWords.hasZero(w))) {
                    return false;
                }
                long lf = ByteWords.zeroMask(w ^ LF8);
                long cr = ByteWords.zeroMask(w ^ CR8);
                if (lf == 0) {
                    cur += 8 - Long.bitCount(cr);
                } else {
                    int first = Long.numberOfTrailingZeros(lf) >>> 3;
                    cur += first - Long.bitCount(cr & ((1L << (first << 3)) - 1));
                    if (cur > maxLine) {
                        return false;
                    }
                    int last = (63 - Long.numberOfLeadingZeros(lf)) >>> 3;
                    cur = last == 7 ? 0 : 7 - last - Long.bitCount(cr & (-1L << ((last + 1) << 3)));
                }
                if (cur > maxLine) {
                    return false;
                }
            }
        }
        while (i < b.length) {
            byte x = b[i++];
            if (x == '\n') {
                cur = 0;
            } else if (x != '\r') {
                if (++cur > maxLine || asciiOnly && x <= 0) {
                    return false;
                }
            }
        }
        return true;
    }

    static byte[] base64(byte[] data, byte[] eol) {
        return Base64.getMimeEncoder(76, eol).encode(data);
    }

    /**
     * Quoted-printable (RFC 2045 6.7) for text: CRLF or LF in the data become hard line breaks written as
     * {@code eol}; encoded lines are at most 76 characters; trailing white space is encoded.
     */
    static byte[] quotedPrintable(byte[] data, byte[] eol) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + data.length / 8 + 16);
        int lineLen = 0;
        for (int i = 0; i < data.length; i++) {
            int c = data[i] & 0xff;
            if (c == '\r' && i + 1 < data.length && data[i + 1] == '\n') {
                continue; // the LF writes the break
            }
            if (c == '\n') {
                out.writeBytes(eol);
                lineLen = 0;
                continue;
            }
            int seq = utf8SequenceLength(data, i);
            if (seq > 1) {
                // never split a UTF-8 sequence across a soft line break
                int end = i + seq;
                boolean atEnd = end >= data.length || data[end] == '\n'
                        || (data[end] == '\r' && end + 1 < data.length && data[end + 1] == '\n');
                if (lineLen + 3 * seq > (atEnd ? 76 : 75)) {
                    out.write('=');
                    out.writeBytes(eol);
                    lineLen = 0;
                }
                for (int k = i; k < end; k++) {
                    writeHex(out, data[k] & 0xff);
                }
                lineLen += 3 * seq;
                i = end - 1;
                continue;
            }
            boolean atLineEnd = i + 1 >= data.length || data[i + 1] == '\n'
                    || (data[i + 1] == '\r' && i + 2 < data.length && data[i + 2] == '\n');
            boolean literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !atLineEnd);
            int width = literal ? 1 : 3;
            // keep room for the soft break '=' unless this is the last character of the line
            int limit = atLineEnd ? 76 : 75;
            if (lineLen + width > limit) {
                out.write('=');
                out.writeBytes(eol);
                lineLen = 0;
            }
            if (literal) {
                out.write(c);
            } else {
                writeHex(out, c);
            }
            lineLen += width;
        }
        return out.toByteArray();
    }

    private static void writeHex(ByteArrayOutputStream out, int c) {
        out.write('=');
        out.write(hex(c >> 4));
        out.write(hex(c & 0xf));
    }

    /** Length of a well-formed UTF-8 multi-byte sequence starting at i, else 1. */
    static int utf8SequenceLength(byte[] d, int i) {
        int c = d[i] & 0xff;
        int n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 1;
        if (c >= 0xF5 || n == 1 || i + n > d.length) {
            return 1;
        }
        for (int k = 1; k < n; k++) {
            if ((d[i + k] & 0xC0) != 0x80) {
                return 1;
            }
        }
        return n;
    }

    private static int hex(int v) {
        return v < 10 ? '0' + v : 'A' + v - 10;
    }
}
