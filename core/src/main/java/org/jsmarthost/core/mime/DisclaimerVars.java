package org.jsmarthost.core.mime;

import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Objects;

/**
 * Per-message values substituted into a disclaimer template.
 *
 * <p>Variables (see {@link DisclaimerTemplates} for the syntax):
 * <ul>
 *   <li>{@code ${sender}} – the envelope/header sender address chosen by the adapter, e.g. {@code alice@example.com};
 *       empty for the null sender</li>
 *   <li>{@code ${sender.name}} – the display name; falls back to the address when the message has none</li>
 *   <li>{@code ${sender.domain}} – the part after the last {@code @} of the address, lower-cased</li>
 *   <li>{@code ${date}} – the date in ISO form {@code 2026-11-28}; {@code ${datetime}} – RFC 5322 form
 *       {@code Sat, 28 Nov 2026 23:10:00 +0000}</li>
 * </ul>
 * The adapter takes the date from an injected {@link java.time.Clock} so tests control it.
 */
public final class DisclaimerVars {
    private final String senderAddress;
    private final String senderDisplayName;
    private final ZonedDateTime date;

    private DisclaimerVars(String senderAddress, String senderDisplayName, ZonedDateTime date) {
        this.senderAddress = senderAddress;
        this.senderDisplayName = senderDisplayName;
        this.date = date;
    }

    /**
     * @param senderAddress address, may be null/empty (null sender)
     * @param senderDisplayName display name, may be null
     * @param date processing date, required
     */
    public static DisclaimerVars of(String senderAddress, String senderDisplayName, ZonedDateTime date) {
        Objects.requireNonNull(date, "date");
        String addr = senderAddress == null ? "" : senderAddress.trim();
        String name = senderDisplayName == null ? "" : senderDisplayName.trim();
        return new DisclaimerVars(addr, name, date);
    }

    public String senderAddress() {
        return senderAddress;
    }

    /** Display name, or the address when there is no display name. */
    public String senderDisplayName() {
        return senderDisplayName.isEmpty() ? senderAddress : senderDisplayName;
    }

    public String senderDomain() {
        int at = senderAddress.lastIndexOf('@');
        return at < 0 ? "" : senderAddress.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    public ZonedDateTime date() {
        return date;
    }
}
