package org.jsmarthost.core.mime;

import java.util.Objects;

/** A rendered disclaimer for one message: plain text and HTML (line ends LF), plus the reply fingerprint. */
public final class Disclaimer {
    private final String text;
    private final String html;
    private final String fingerprint;

    Disclaimer(String text, String html, String fingerprint) {
        this.text = Objects.requireNonNull(text);
        this.html = Objects.requireNonNull(html);
        this.fingerprint = Objects.requireNonNull(fingerprint);
    }

    /** A disclaimer from fixed strings (tests, adapters without templates); no reply fingerprint. */
    public static Disclaimer of(String text, String html) {
        return DisclaimerTemplates.of(text, html).render(DisclaimerVars.of("", "", java.time.ZonedDateTime.now()));
    }

    public String text() {
        return text;
    }

    public String html() {
        return html;
    }

    String fingerprint() {
        return fingerprint;
    }
}
