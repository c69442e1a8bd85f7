package org.jsmarthost.core.mime;

import java.util.Objects;

/** A rendered disclaimer for one message: plain text and HTML (line ends LF), plus the reply fingerprint. */
public final class Disclaimer {
    private final String text;
    private final String html;
    private final String fingerprint;
    private final String htmlFingerprint;

    Disclaimer(String text, String html, String fingerprint, String htmlFingerprint) {
        this.htmlFingerprint = Objects.requireNonNull(htmlFingerprint);
        this.text = Objects.requireNonNull(text);
        this.html = Objects.requireNonNull(html);
        this.fingerprint = Objects.requireNonNull(fingerprint);
    }

    /**
     * A disclaimer from literal strings (no variables: {@code $} is kept as is). {@code html} may be null
     * (then the escaped text is used). Line ends are normalised as in {@link DisclaimerTemplates}.
     */
    public static Disclaimer of(String text, String html) {
        Objects.requireNonNull(text, "text");
        return DisclaimerTemplates.of(text.replace("$", "$$"), html == null ? null : html.replace("$", "$$"))
                .render(DisclaimerVars.of("", "", java.time.ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, java.time.ZoneOffset.UTC)));
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

    String htmlFingerprint() {
        return htmlFingerprint;
    }
}
