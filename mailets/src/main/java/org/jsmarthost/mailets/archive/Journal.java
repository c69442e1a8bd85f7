package org.jsmarthost.mailets.archive;

import java.io.IOException;
import java.io.Serializable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.jsmarthost.core.archive.ArchiveEntry;
import org.jsmarthost.core.archive.CapturePoint;
import org.jsmarthost.core.archive.Envelope;
import org.jsmarthost.mailets.MessageWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link JournalArchive} and {@link JournalArchiveRetry} share: turning a {@link Mail} into an archive
 * {@link Envelope}, appending it durably, and the fail-closed handling when that is impossible.
 */
final class Journal {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    /** Link id shared by the captures of one mail (set by the first capture; copied when James splits a mail). */
    static final AttributeName LINK = AttributeName.of("org.jsmarthost.archive.link");
    /** Time received (ISO instant), set by the first capture. */
    static final AttributeName RECEIVED_AT = AttributeName.of("org.jsmarthost.archive.received-at");
    /** Entry id of the received capture / of the sent capture. */
    static final AttributeName RECEIVED_ENTRY = AttributeName.of("org.jsmarthost.archive.received");
    static final AttributeName SENT_ENTRY = AttributeName.of("org.jsmarthost.archive.sent");
    /** While waiting for a retry: {@code <capture point> <resume processor> <attempt> <sent-by-mailet before>}. */
    static final AttributeName RETRY = AttributeName.of("org.jsmarthost.archive.retry");
    static final String OWN_PREFIX = "org.jsmarthost.archive.";

    static final String METRIC_ARCHIVED = "smarthost.archive.archived";
    static final String METRIC_FAILED = "smarthost.archive.failed";
    static final String METRIC_RETRIED = "smarthost.archive.retried";
    static final String METRIC_APPEND_TIME = "smarthost.archive.append";

    private final JournalArchiveConfig config;
    private final SharedArchive archive;
    private final Clock clock;
    private final MetricFactory metrics;
    private final Metric archived;
    private final Metric failed;
    private final Metric retried;

    Journal(JournalArchiveConfig config, SharedArchive archive, Clock clock, MetricFactory metrics) {
        this.config = config;
        this.archive = archive;
        this.clock = clock;
        this.metrics = metrics;
        this.archived = metrics.generate(METRIC_ARCHIVED);
        this.failed = metrics.generate(METRIC_FAILED);
        this.retried = metrics.generate(METRIC_RETRIED);
    }

    /**
     * Archives the mail at {@code cp}; returns true if it is durable now. Otherwise the mail was handed to the
     * retry processor (state ghost here) or moved to the error processor, as configured.
     */
    boolean capture(Mail mail, CapturePoint cp, String resumeProcessor, MailetContext context, int attempt) throws MessagingException {
        ensureLink(mail);
        try {
            ArchiveEntry e = append(mail, cp);
            mail.setAttribute(new Attribute(cp == CapturePoint.RECEIVED ? RECEIVED_ENTRY : SENT_ENTRY, AttributeValue.of(e.id())));
            archived.increment();
            LOG.info("archive: mail {} archived as {} ({}, {} bytes, {} recipient(s), entry {} seq {})", mail.getName(),
                cp.token(), e.envelope().linkId(), e.size(), e.envelope().recipients().size(), e.id(), e.seq());
            return true;
        } catch (IOException | MessagingException | RuntimeException | OutOfMemoryError ex) {
            // out of memory included: an error escaping the mailet would leave the mail in flight for good (see
            // OutOfMemory); the content written so far is deleted by the store, the failure policy applies
            failed.increment();
            if (config.onFailure == JournalArchiveConfig.OnFailure.ERROR) {
                LOG.error("archive: mail {} NOT archived ({}): {}; moved to the error processor, it is not delivered",
                    mail.getName(), cp.token(), ex.toString());
                mail.setErrorMessage("archive (" + cp.token() + ") failed: " + ex);
                mail.setState(Mail.ERROR);
                return false;
            }
            int next = attempt + 1;
            boolean sentByMailet = mail.getAttribute(AttributeName.of(Mail.SENT_BY_MAILET)).isPresent();
            LOG.error("archive: mail {} NOT archived ({}): {}; held back, retry {} in {} via processor '{}', then resumes in '{}'",
                mail.getName(), cp.token(), ex.toString(), next, config.retryDelay, config.retryProcessor, resumeProcessor);
            mail.setAttribute(new Attribute(RETRY, AttributeValue.of(cp.token() + " " + resumeProcessor + " " + next + " " + sentByMailet)));
            context.sendMail(mail, config.retryProcessor, config.retryDelay.toMillis(), TimeUnit.MILLISECONDS);
            retried.increment();
            mail.setState(Mail.GHOST);
            return false;
        }
    }

    private ArchiveEntry append(Mail mail, CapturePoint cp) throws IOException, MessagingException {
        Envelope env = envelope(mail, cp);
        MimeMessage message = mail.getMessage();
        TimeMetric timer = metrics.timer(METRIC_APPEND_TIME);
        try {
            return archive.append(env, out -> {
                try {
                    MessageWriter.writeTo(message, out);
                } catch (MessagingException e) {
                    throw new IOException("cannot read the message of mail " + mail.getName() + ": " + e.getMessage(), e);
                }
            });
        } finally {
            timer.stopAndPublish();
        }
    }

    private void ensureLink(Mail mail) {
        if (mail.getAttribute(LINK).isEmpty()) {
            mail.setAttribute(new Attribute(LINK, AttributeValue.of(mail.getName())));
        }
        if (mail.getAttribute(RECEIVED_AT).isEmpty()) {
            Instant at = mail.getLastUpdated() != null ? mail.getLastUpdated().toInstant() : clock.instant();
            mail.setAttribute(new Attribute(RECEIVED_AT, AttributeValue.of(at.toString())));
        }
    }

    /**
     * The envelope of the mail as it is now. The received capture is keyed by the link id (a mail James
     * re-injects with its attributes is not archived again as received); the sent capture by the mail name
     * (each part of a split mail is archived as sent, all linked to the one received capture).
     */
    Envelope envelope(Mail mail, CapturePoint cp) throws MessagingException {
        String link = string(mail, LINK).orElse(mail.getName());
        List<String> recipients = new ArrayList<>();
        for (MailAddress r : mail.getRecipients()) {
            recipients.add(r.asString());
        }
        MimeMessage m = mail.getMessage();
        String subject;
        try {
            subject = m.getSubject();
        } catch (MessagingException e) {
            subject = m.getHeader("Subject", null);
        }
        return Envelope.builder()
            .mailName(cp == CapturePoint.RECEIVED ? link : mail.getName())
            .capturePoint(cp)
            .linkId(link)
            .mailFrom(mail.getMaybeSender().asOptional().map(MailAddress::asString).orElse(""))
            .recipients(recipients)
            .clientIp(mail.getRemoteAddr())
            .helo(string(mail, Mail.SMTP_HELO).orElse(null))
            .authUser(string(mail, Mail.SMTP_AUTH_USER).orElse(null))
            .received(string(mail, RECEIVED_AT).map(Instant::parse).orElseGet(clock::instant))
            .messageId(m.getMessageID())
            .subject(subject)
            .decision(string(mail, AttributeName.of(config.decisionAttribute)).orElse(null))
            .ruleId(string(mail, AttributeName.of(config.ruleAttribute)).orElse(null))
            .trace(trace(mail))
            .build();
    }

    private List<String> trace(Mail mail) {
        List<String> out = new ArrayList<>();
        mail.attributes()
            .filter(a -> a.getName().asString().startsWith(config.tracePrefix) && !a.getName().asString().startsWith(OWN_PREFIX))
            .sorted((a, b) -> a.getName().asString().compareTo(b.getName().asString()))
            .forEach(a -> out.add(a.getName().asString() + "=" + a.getValue().getValue()));
        return out;
    }

    static Optional<String> string(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(a -> a.getValue().getValue()).map(v -> v instanceof Serializable ? v.toString() : String.valueOf(v))
            .filter(s -> !s.isEmpty());
    }
}
