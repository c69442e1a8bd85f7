package org.jsmarthost.mailets.archive;

import java.time.Clock;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetException;
import org.jsmarthost.core.archive.CapturePoint;
import org.jsmarthost.core.status.PackStatus;
import org.jsmarthost.mailets.PackMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry side of {@link JournalArchive}: the only mailet of the processor named by
 * {@code retryProcessor} (default {@code archive-retry}). For a mail that {@link JournalArchive} could not
 * archive, it tries again; on success the mail continues in the processor recorded by the failed attempt
 * ({@code resumeProcessor}), otherwise it waits {@code retryDelay} again. Mail without the retry attribute
 * goes to the {@code error} processor (it did not come from JournalArchive).
 *
 * <p>The waiting mail sits in James's mail queue (the spool, re-queued with {@code retryDelay} through the
 * mailet context). In this distribution the spool is durable (ActiveMQ/KahaDB), so waiting mail survives a
 * restart; its JMS queue picks up delayed mail by polling, so a retry can come up to ~10 s after
 * {@code retryDelay}. With a memory queue, waiting mail would be lost at a stop.
 *
 * <h2>Parameters</h2>
 * {@code root}, {@code retentionFile}, {@code retryProcessor}, {@code retryDelay}, {@code decisionAttribute},
 * {@code ruleAttribute}, {@code tracePrefix}: as in {@link JournalArchive}, and they must match its values.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * <processor state="archive-retry" enableJmx="true">
 *   <mailet match="All" class="org.jsmarthost.mailets.archive.JournalArchiveRetry">
 *     <retryDelay>60s</retryDelay>
 *   </mailet>
 * </processor>
 * }</pre>
 *
 * <h2>Diagnostics</h2>
 * INFO {@code archive: mail NAME archived on retry N, resumes in P}; failures as in {@link JournalArchive}.
 */
public final class JournalArchiveRetry extends PackMailet {
    private static final Logger LOG = LoggerFactory.getLogger(JournalArchiveRetry.class);

    private final MetricFactory metrics;
    private final Clock clock;
    private SharedArchive archive;
    private Journal journal;

    @Inject
    public JournalArchiveRetry(MetricFactory metrics) {
        this(metrics, Clock.systemUTC());
    }

    JournalArchiveRetry(MetricFactory metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        JournalArchiveConfig config;
        try {
            JournalArchive.checkParameters(this, JournalArchiveConfig.RETRY_PARAMETERS);
            config = JournalArchiveConfig.retry(this::getInitParameter);
            archive = config.acquire(clock);
        } catch (IllegalArgumentException e) {
            throw new MailetException(getMailetName() + ": " + e.getMessage(), e);
        }
        journal = new Journal(config, archive, clock, metrics);
        PackStatus.instance().componentLoaded("mailet", getMailetName(), getClass());
    }

    @Override
    protected void process(Mail mail) throws MessagingException {
        String[] retry = Journal.string(mail, Journal.RETRY).map(s -> s.split(" ")).orElse(null);
        if (retry == null || retry.length != 4) {
            LOG.error("archive: mail {} reached the archive retry processor without a retry record; moved to error", mail.getName());
            mail.setErrorMessage("archive retry: mail has no " + Journal.RETRY.asString() + " attribute");
            mail.setState(Mail.ERROR);
            return;
        }
        CapturePoint cp = CapturePoint.parse(retry[0]);
        String resume = retry[1];
        int attempt = Integer.parseInt(retry[2]);
        if (!Boolean.parseBoolean(retry[3])) {
            // JournalArchive re-queued it through the mailet context, which marks it "sent by mailet";
            // it was not, and relay decisions must not see that mark
            mail.removeAttribute(AttributeName.of(Mail.SENT_BY_MAILET));
        }
        if (journal.capture(mail, cp, resume, getMailetContext(), attempt)) {
            mail.removeAttribute(Journal.RETRY);
            LOG.info("archive: mail {} archived on retry {}, resumes in '{}'", mail.getName(), attempt, resume);
            mail.setState(resume);
        }
    }

    @Override
    public void destroy() {
        if (archive != null) {
            archive.release();
            archive = null;
        }
    }

    @Override
    public String getMailetInfo() {
        return "JournalArchiveRetry: retries archiving mail held back by JournalArchive (james-smarthost)";
    }
}
