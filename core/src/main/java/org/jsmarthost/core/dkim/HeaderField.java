package org.jsmarthost.core.dkim;

import java.util.Locale;
import java.util.Objects;

/**
 * One header field as it appears in the message: {@code raw} is "Name: value" with folding line
 * breaks normalised to CRLF, without the terminating CRLF, as an ISO-8859-1 string (one char per
 * octet).
 */
public final class HeaderField {
    private final String name;
    private final String raw;

    HeaderField(String name, String raw) {
        this.name = name;
        this.raw = raw;
    }

    /** Parses "Name: value" (the raw form). */
    public static HeaderField of(String raw) {
        int colon = raw.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + raw + "' is not a header field, expected Name: value");
        }
        return new HeaderField(raw.substring(0, colon).trim(), raw);
    }

    /** The field name as written (without trailing white space). */
    public String name() {
        return name;
    }

    /** The lower-cased field name, for case-insensitive comparison. */
    public String lowerName() {
        return name.toLowerCase(Locale.ROOT);
    }

    /** The complete field as written, folding included, no final CRLF. */
    public String raw() {
        return raw;
    }

    /** The unfolded value after the colon, trimmed. */
    public String value() {
        int colon = raw.indexOf(':');
        return raw.substring(colon + 1).replace("\r\n", "").trim();
    }

    /** The raw value after the colon (folding kept, not trimmed). */
    String rawValue() {
        return raw.substring(raw.indexOf(':') + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeaderField && ((HeaderField) o).raw.equals(raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(raw);
    }

    @Override
    public String toString() {
        return raw;
    }
}
