package org.jsmarthost.core.rewrite;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an address is rewritten in: the envelope sender (MAIL FROM), the envelope recipients (RCPT TO) or
 * one of the address headers. Only headers that carry addresses can be targets (see
 * {@link #HEADER_NAMES}).
 */
public final class RewriteTarget {
    /** Address headers that rules may name, in their canonical spelling. */
    public static final Map<String, String> HEADER_NAMES;

    static {
        Map<String, String> names = new LinkedHashMap<>();
        for (String h : new String[] {"From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Return-Path",
            "Resent-From", "Resent-Sender", "Resent-To", "Resent-Cc", "Resent-Bcc", "Mail-Followup-To",
            "Mail-Reply-To", "Disposition-Notification-To", "Errors-To"}) {
            names.put(h.toLowerCase(Locale.ROOT), h);
        }
        HEADER_NAMES = Collections.unmodifiableMap(names);
    }

    public static final RewriteTarget ENVELOPE_SENDER = new RewriteTarget("envelope-sender", null);
    public static final RewriteTarget ENVELOPE_RECIPIENT = new RewriteTarget("envelope-recipient", null);

    private final String name;
    private final String headerName;

    private RewriteTarget(String name, String headerName) {
        this.name = name;
        this.headerName = headerName;
    }

    /**
     * The target for an address header, by name in any case.
     *
     * @throws IllegalArgumentException when it is not one of {@link #HEADER_NAMES}
     */
    public static RewriteTarget header(String name) {
        return headerIfKnown(name).orElseThrow(() -> new IllegalArgumentException("'" + name
                + "' is not an address header, expected one of " + String.join(", ", HEADER_NAMES.values())));
    }

    /** The target for a header name, or empty when it is not an address header rules can name. */
    public static Optional<RewriteTarget> headerIfKnown(String name) {
        String canonical = HEADER_NAMES.get(Objects.requireNonNull(name, "name").trim().toLowerCase(Locale.ROOT));
        return canonical == null ? Optional.empty() : Optional.of(new RewriteTarget("header " + canonical, canonical));
    }

    public boolean isHeader() {
        return headerName != null;
    }

    /** The canonical header name, or empty for envelope targets. */
    public Optional<String> headerName() {
        return Optional.ofNullable(headerName);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RewriteTarget && ((RewriteTarget) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
