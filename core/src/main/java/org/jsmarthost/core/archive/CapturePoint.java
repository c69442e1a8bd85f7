package org.jsmarthost.core.archive;

import java.util.Locale;

/**
 * Where in the pipeline a message was captured into the journal archive.
 *
 * <ul>
 *   <li>{@link #RECEIVED}: exactly as accepted from the client (before any rewrite, disclaimer or DKIM).</li>
 *   <li>{@link #SENT}: exactly as handed to remote delivery (after rewrite, disclaimer and DKIM signing).</li>
 * </ul>
 * Both captures of one mail carry the same {@link Envelope#linkId() link id}.
 */
public enum CapturePoint {
    RECEIVED, SENT;

    /** Lower-case token used in the index file and on the command line: {@code received} or {@code sent}. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code received} / {@code sent} (case-insensitive). */
    public static CapturePoint parse(String token) {
        if (token != null) {
            for (CapturePoint p : values()) {
                if (p.token().equalsIgnoreCase(token.trim())) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("capture point '" + token + "' is not valid, expected received or sent");
    }
}
