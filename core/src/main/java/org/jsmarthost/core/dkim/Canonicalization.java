package org.jsmarthost.core.dkim;

import java.io.OutputStream;
import java.util.Locale;

/**
 * DKIM canonicalization algorithms of RFC 6376 section 3.4, for header fields and for the body.
 *
 * <p>Header fields are handled as ISO-8859-1 strings (one char per octet, so 8bit header bytes
 * pass through unchanged) whose line breaks are CRLF. The body side is a streaming
 * {@link OutputStream} filter: bytes written to {@link #bodyFilter(OutputStream)} come out
 * canonicalised on the wrapped stream, without ever holding the whole body.
 *
 * <p>Line endings: the filters treat CRLF, a bare LF and a bare CR each as one line break, as the
 * SMTP client (javax.mail's CRLF conversion) will put a CRLF on the wire for each of them; so the
 * body hash matches what the receiver sees.
 */
public enum Canonicalization {
    /** {@code simple}: (almost) no change; only trailing empty lines of the body are ignored. */
    SIMPLE,
    /** {@code relaxed}: tolerates white-space changes and header re-folding. */
    RELAXED;

    /** The tag value ({@code simple} or {@code relaxed}). */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a tag value, case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and what is expected
     */
    public static Canonicalization parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("simple")) {
            return SIMPLE;
        }
        if (v.equals("relaxed")) {
            return RELAXED;
        }
        throw new IllegalArgumentException("'" + value + "' is not a DKIM canonicalization, expected simple or relaxed");
    }

    /**
     * Canonicalises one header field.
     *
     * @param field the complete field "Name: value" including any folding CRLFs, without the final CRLF
     * @return the canonical form, without a final CRLF
     */
    public String canonicalizeHeader(String field) {
        if (this == SIMPLE) {
            return field;
        }
        int colon = field.indexOf(':');
        String name = colon < 0 ? field : field.substring(0, colon);
        String value = colon < 0 ? "" : field.substring(colon + 1);
        StringBuilder out = new StringBuilder(field.length());
        out.append(stripTrailingWsp(name).toLowerCase(Locale.ROOT)).append(':');
        boolean pendingSpace = false;
        boolean started = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                continue; // unfold
            }
            if (c == ' ' || c == '\t') {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace && started) {
                out.append(' ');
            }
            pendingSpace = false;
            started = true;
            out.append(c);
        }
        return out.toString();
    }

    private static String stripTrailingWsp(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(0, end);
    }

    /**
     * A streaming body canonicaliser writing to {@code sink}. Call {@link OutputStream#close()} at the
     * end of the body: it emits the final line break (if any) and closes {@code sink}.
     */
    public OutputStream bodyFilter(OutputStream sink) {
        return this == SIMPLE ? new BodyCanonicalizer.Simple(sink) : new BodyCanonicalizer.Relaxed(sink);
    }
}
