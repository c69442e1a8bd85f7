package org.jsmarthost.mailets.archive;

import java.time.Clock;
import java.util.Collection;
import java.util.List;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetException;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.jsmarthost.core.archive.CapturePoint;
import org.jsmarthost.core.status.PackStatus;
import org.jsmarthost.mailets.PackMailet;

/**
 * Journal archive: stores each mail once, with its full SMTP envelope, in the crash-safe, tamper-evident
 * archive ({@link org.jsmarthost.core.archive.ArchiveStore}; layout, integrity and recovery are described
 * there). The mailet returns only when the entry is durable (fsync). If the archive cannot be written the
 * mail is <b>not</b> passed on: it waits in a retry processor and is archived and released when the archive
 * is writable again, or goes to the error processor ({@code onFailure}).
 *
 * <h2>What is archived</h2>
 * The message bytes (received capture: exactly as received, including the {@code Received:} header James
 * added; sent capture: as it leaves, after rewriting, disclaimer and DKIM signature) and the envelope:
 * MAIL FROM, <em>all</em> envelope recipients (Bcc recipients included: they are RCPT TO addresses), client
 * IP, HELO/EHLO name, SMTP AUTH user, time received, Message-ID, decoded Subject, the relay decision and rule
 * (mail attributes named by {@code decisionAttribute} / {@code ruleAttribute}), and the pack's processing
 * trace (every mail attribute whose name starts with {@code tracePrefix}, as {@code name=value}).
 *
 * <h2>Exactly once, and linking the two captures</h2>
 * The first capture sets the mail attribute {@code org.jsmarthost.archive.link} (the mail name at that
 * moment) and {@code org.jsmarthost.archive.received-at}. James copies attributes when it splits a mail
 * (per recipient domain, RRT, local/remote), so every part keeps the link. The received capture is keyed by
 * the link (a re-injected copy is not archived twice), the sent capture by the mail name (each relayed part
 * is archived with its own recipients). Archiving the same key again is a no-op, so a retry after a crash
 * never duplicates. {@code smarthost-cli archive show ID} lists the linked capture.
 * After archiving, {@code org.jsmarthost.archive.received} / {@code .sent} hold the entry id.
 *
 * <h2>Parameters</h2>
 * <table>
 * <caption>parameters</caption>
 * <tr><th>name</th><th>default</th><th>meaning</th></tr>
 * <tr><td>capturePoint</td><td>(required)</td><td>{@code received} or {@code sent}</td></tr>
 * <tr><td>root</td><td>var/archive</td><td>archive directory (relative to SMARTHOST_HOME); one store per
 *     root is shared by all archive mailets</td></tr>
 * <tr><td>retentionFile</td><td>conf/archive-retention.conf</td><td>retention per sender domain (format:
 *     {@link org.jsmarthost.core.archive.RetentionPolicy}); missing = 10 years for all; an invalid file stops
 *     the start with the line named</td></tr>
 * <tr><td>onFailure</td><td>retry</td><td>{@code retry}: the mail goes to {@code retryProcessor} after
 *     {@code retryDelay} and is tried again until it is archived, then continues in {@code resumeProcessor};
 *     {@code error}: the mail goes to the {@code error} processor (stored in var/mail/error, not
 *     delivered)</td></tr>
 * <tr><td>retryProcessor</td><td>archive-retry</td><td>a processor containing {@link JournalArchiveRetry}</td></tr>
 * <tr><td>retryDelay</td><td>60s</td><td>wait before each retry: number with unit ms, s, m or h</td></tr>
 * <tr><td>resumeProcessor</td><td>the current processor</td><td>where the mail continues after a successful
 *     retry. The default re-runs the current processor from its start (right for the received capture at
 *     the start of {@code transport}); the sent capture must name a processor that only delivers</td></tr>
 * <tr><td>decisionAttribute</td><td>org.jsmarthost.relay.decision</td><td>mail attribute with the relay decision</td></tr>
 * <tr><td>ruleAttribute</td><td>org.jsmarthost.relay.rules</td><td>mail attribute with the relay rule ids (set by the relay hook)</td></tr>
 * <tr><td>tracePrefix</td><td>org.jsmarthost.</td><td>attributes recorded as processing trace</td></tr>
 * <tr><td>store</td><td>file</td><td>{@code file}: the embedded store under {@code root}; {@code s3}: an S3-API
 *     bucket shared by several nodes, each writing its own hash chain
 *     ({@link org.jsmarthost.core.archive.s3.S3Archive}); {@code root} then only holds uploads in progress</td></tr>
 * <tr><td>s3Endpoint, s3Region, s3Bucket</td><td>-, us-east-1, -</td><td>with store=s3: the S3 API URL (path-style
 *     requests), the signing region and the bucket</td></tr>
 * <tr><td>s3AccessKey, s3SecretKey</td><td>-</td><td>with store=s3: credentials (SigV4); use
 *     {@code ${env:NAME}} to keep them out of the file</td></tr>
 * <tr><td>node</td><td>the host name</td><td>with store=s3: this node's id, unique among the nodes sharing the
 *     bucket</td></tr>
 * </table>
 * Unknown parameters are rejected.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * <processor state="transport">
 *   <mailet match="All" class="org.jsmarthost.mailets.archive.JournalArchive">
 *     <capturePoint>received</capturePoint>
 *   </mailet>
 *   ...
 * </processor>
 * <processor state="relay">
 *   ... rewrite, disclaimer, DKIM ...
 *   <mailet match="All" class="org.jsmarthost.mailets.archive.JournalArchive">
 *     <capturePoint>sent</capturePoint>
 *     <onFailure>retry</onFailure>
 *     <retryDelay>60s</retryDelay>
 *     <resumeProcessor>relay-delivery</resumeProcessor>
 *   </mailet>
 *   <mailet match="All" class="ToProcessor"><processor>relay-delivery</processor></mailet>
 * </processor>
 * <processor state="archive-retry">
 *   <mailet match="All" class="org.jsmarthost.mailets.archive.JournalArchiveRetry"/>
 * </processor>
 * }</pre>
 *
 * <h2>Diagnostics</h2>
 * INFO {@code archive: mail NAME archived as received|sent (...)} per entry; ERROR
 * {@code archive: mail NAME NOT archived (...)} with the cause and what happens to the mail. Metrics
 * {@code smarthost.archive.archived}, {@code smarthost.archive.failed}, {@code smarthost.archive.retried}
 * (counters) and {@code smarthost.archive.append} (timer). Management: MBean
 * {@code org.jsmarthost:type=Archive}, used by {@code smarthost-cli archive ...}.
 */
public final class JournalArchive extends PackMailet {
    private final MetricFactory metrics;
    private final Clock clock;
    private JournalArchiveConfig config;
    private SharedArchive archive;
    private Journal journal;

    @Inject
    public JournalArchive(MetricFactory metrics) {
        this(metrics, Clock.systemUTC());
    }

    JournalArchive(MetricFactory metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        try {
            checkParameters(this, JournalArchiveConfig.PARAMETERS);
            config = JournalArchiveConfig.capture(this::getInitParameter);
            archive = config.acquire(clock);
        } catch (IllegalArgumentException e) {
            throw new MailetException(getMailetName() + ": " + e.getMessage(), e);
        }
        journal = new Journal(config, archive, clock, metrics);
        PackStatus.instance().componentLoaded("mailet", getMailetName() + " (" + config.capturePoint.get().token() + ")", getClass());
    }

    static void checkParameters(GenericMailet mailet, java.util.Set<String> allowed) {
        mailet.getInitParameterNames().forEachRemaining(name -> {
            if (!allowed.contains(name) && !JournalArchiveConfig.JAMES_PARAMETERS.contains(name)) {
                throw new IllegalArgumentException("unknown parameter '" + name + "', expected one of " + new java.util.TreeSet<>(allowed));
            }
        });
    }

    @Override
    protected void process(Mail mail) throws MessagingException {
        journal.capture(mail, config.capturePoint.get(), config.resumeProcessor.orElse(mail.getState()), getMailetContext(), 0);
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        if (config != null && config.onFailure == JournalArchiveConfig.OnFailure.RETRY) {
            return config.resumeProcessor.isPresent()
                ? List.of(new ProcessingState(config.retryProcessor), new ProcessingState(config.resumeProcessor.get()))
                : List.of(new ProcessingState(config.retryProcessor));
        }
        return List.of();
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
        return "JournalArchive: archives each mail once with its full envelope (james-smarthost)";
    }
}
