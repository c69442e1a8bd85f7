package org.jsmarthost.core.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Reads the header section of a raw RFC 5322 message from a stream and leaves the stream at the
 * first body byte. Lines may end in CRLF, bare LF or bare CR (each is one line break).
 */
final class MessageHeaders {
    private final List<HeaderField> fields;
    private final boolean eightBit;

    private MessageHeaders(List<HeaderField> fields, boolean eightBit) {
        this.fields = Collections.unmodifiableList(fields);
        this.eightBit = eightBit;
    }

    List<HeaderField> fields() {
        return fields;
    }

    /** Whether a header byte is outside US-ASCII. */
    boolean eightBit() {
        return eightBit;
    }

    /** All fields with that name (case-insensitive), top to bottom. */
    List<HeaderField> all(String name) {
        List<HeaderField> out = new ArrayList<>();
        for (HeaderField f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                out.add(f);
            }
        }
        return out;
    }

    int count(String name) {
        return all(name).size();
    }

    /**
     * Reads the header section; {@code in} is left positioned at the body.
     */
    static MessageHeaders read(MessageInput in) throws IOException {
        List<HeaderField> fields = new ArrayList<>();
        StringBuilder current = null;
        boolean eightBit = false;
        int lineNo = 0;
        LineBuffer line = new LineBuffer();
        while (true) {
            int end = line.readLine(in);
            lineNo++;
            eightBit |= line.eightBit;
            if (line.len == 0) {
                break; // blank line (or EOF): end of header section
            }
            String text = line.text();
            char first = text.charAt(0);
            if (first == ' ' || first == '\t') {
                if (current == null) {
                    throw new IOException("header line " + lineNo + ": continuation line before any header field");
                }
                current.append("\r\n").append(text);
            } else {
                if (current != null) {
                    fields.add(HeaderField.of(current.toString()));
                }
                if (text.indexOf(':') <= 0) {
                    throw new IOException("header line " + lineNo + ": '" + abbreviate(text)
                            + "' is not a header field, expected Name: value");
                }
                current = new StringBuilder(text);
            }
            if (end < 0) {
                break;
            }
        }
        if (current != null) {
            fields.add(HeaderField.of(current.toString()));
        }
        return new MessageHeaders(fields, eightBit);
    }

    /** One header line without its break, in a reused array (no lock per byte, unlike ByteArrayOutputStream). */
    private static final class LineBuffer {
        byte[] bytes = new byte[256];
        int len;
        boolean eightBit;

        /** Reads one line (a break is CRLF, LF or a lone CR); returns -1 at EOF, else 0. */
        int readLine(MessageInput in) throws IOException {
            len = 0;
            eightBit = false;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return -1;
                }
                if (b == '\n') {
                    return 0;
                }
                if (b == '\r') {
                    int next = in.read();
                    if (next >= 0 && next != '\n') {
                        in.unread(next);
                    }
                    return 0;
                }
                if (len == bytes.length) {
                    bytes = Arrays.copyOf(bytes, len * 2);
                }
                bytes[len++] = (byte) b;
                eightBit |= b >= 0x80;
            }
        }

        String text() {
            return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
