package org.jsmarthost.mailets.disclaimer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jsmarthost.core.mime.DisclaimerInserter;
import org.jsmarthost.core.status.PackStatus;
import org.jsmarthost.mailets.PackMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes every incoming {@code X-Smarthost-Disclaimer} header field, so that a sender cannot suppress the
 * disclaimer by writing that field (it is how {@link AddDisclaimer} recognises mail it already handled). Place it
 * early in the {@code transport} processor, right after the stock Bcc removal.
 *
 * <p>Only the top-level header block changes and only when the field is present: the message is rewritten
 * from its raw bytes with the field's lines (including folded continuation lines) left out; every other byte
 * stays as it was (no {@code saveChanges()}). Mail that already passed {@link AddDisclaimer} (it carries the
 * attribute {@code org.jsmarthost.disclaimer}, e.g. an internal copy) is left alone.
 *
 * <h2>Parameters</h2>
 * None (unknown parameters are rejected).
 * <pre>{@code
 * <mailet match="All" class="org.jsmarthost.mailets.disclaimer.StripDisclaimerHeader"/>
 * }</pre>
 *
 * <h2>Diagnostics</h2>
 * When a field was removed: attribute {@code org.jsmarthost.disclaimer.stripped} = number of fields removed,
 * metric {@code smarthost_disclaimer_header_stripped}, one INFO log line.
 */
public final class StripDisclaimerHeader extends PackMailet {
    private static final Logger LOG = LoggerFactory.getLogger(StripDisclaimerHeader.class);
    public static final AttributeName STRIPPED = AttributeName.of("org.jsmarthost.disclaimer.stripped");
    private static final String FIELD = DisclaimerInserter.HEADER.toLowerCase(Locale.ROOT) + ":";

    private final MetricFactory metrics;

    @Inject
    public StripDisclaimerHeader(MetricFactory metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init() throws MessagingException {
        checkInitParameters(Set.of());
        PackStatus.instance().componentLoaded("mailet", getMailetName(), getClass());
    }

    @Override
    protected void process(Mail mail) throws MessagingException {
        if (mail.getAttribute(AddDisclaimer.REASON).isPresent() || mail.getMessage().getHeader(DisclaimerInserter.HEADER) == null) {
            return;
        }
        Path in = null;
        Path out = null;
        try {
            in = RawMessages.spool(mail, "strip-in-");
            out = Files.createTempFile("strip-out-", ".eml");
            int removed;
            try (InputStream i = new BufferedInputStream(Files.newInputStream(in));
                 OutputStream o = new BufferedOutputStream(Files.newOutputStream(out))) {
                removed = strip(i, o);
            }
            if (removed > 0) {
                RawMessages.replace(mail, out);
                out = null;
                mail.setAttribute(new Attribute(STRIPPED, AttributeValue.of(removed)));
                metrics.generate("smarthost_disclaimer_header_stripped").increment();
                LOG.info("removed {} incoming {} field(s) from mail {}", removed, DisclaimerInserter.HEADER, mail.getName());
            }
        } catch (IOException e) {
            throw new MessagingException("StripDisclaimerHeader: temporary file: " + e, e);
        } finally {
            deleteQuietly(in);
            deleteQuietly(out);
        }
    }

    /** Copies a raw message leaving out the top-level X-Smarthost-Disclaimer fields; returns how many. */
    static int strip(InputStream in, OutputStream out) throws IOException {
        int removed = 0;
        boolean dropping = false;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            line.reset();
            int b;
            while ((b = in.read()) != -1) {
                line.write(b);
                if (b == '\n') {
                    break;
                }
            }
            if (line.size() == 0) {
                return removed; // end of input inside the header block
            }
            byte[] bytes = line.toByteArray();
            boolean blank = bytes[0] == '\n' || (bytes[0] == '\r' && bytes.length > 1 && bytes[1] == '\n');
            if (blank) {
                out.write(bytes);
                in.transferTo(out);
                return removed;
            }
            boolean continuation = bytes[0] == ' ' || bytes[0] == '\t';
            if (!continuation) {
                String start = new String(bytes, 0, Math.min(bytes.length, FIELD.length() + 8), StandardCharsets.ISO_8859_1)
                        .toLowerCase(Locale.ROOT);
                dropping = start.startsWith(FIELD) || start.matches("(?s)x-smarthost-disclaimer[ \t]+:.*");
                if (dropping) {
                    removed++;
                }
            }
            if (!dropping) {
                out.write(bytes);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warn("cannot delete temporary file {}: {}", p, e.toString());
            }
        }
    }

    @Override
    public String getMailetInfo() {
        return "StripDisclaimerHeader (james-smarthost)";
    }
}
