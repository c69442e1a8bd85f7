package org.jsmarthost.mailets.rewrite;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.management.JMException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jsmarthost.core.rewrite.HeaderAddressRewriter;
import org.jsmarthost.core.rewrite.HeaderRewriteResult;
import org.jsmarthost.core.rewrite.RewriteDirection;
import org.jsmarthost.core.rewrite.RewriteResult;
import org.jsmarthost.core.rewrite.RewriteTable;
import org.jsmarthost.core.rewrite.RewriteTableException;
import org.jsmarthost.core.rewrite.RewriteTableReloader;
import org.jsmarthost.core.rewrite.RewriteTarget;
import org.jsmarthost.core.srs.SrsSettings;
import org.jsmarthost.core.status.PackStatus;
import org.jsmarthost.mailets.PackMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;

/**
 * Rewrites the envelope sender, the envelope recipients and the address headers of a mail with the rules of
 * the rewrite table ({@code conf/rewrite.table}; format, search order and examples in the javadoc of
 * {@link RewriteTable} and in the shipped file). What Postfix does with canonical and generic maps, with
 * the direction made explicit.
 *
 * <h2>PARAMETERS</h2>
 * <table>
 * <caption>RewriteAddresses parameters</caption>
 * <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code direction}</td><td>(required)</td><td>{@code out}: mail leaving the organisation (the relay
 *     processor); {@code in}: mail arriving for it (e.g. in transport, for local and relay-domain mail). Only
 *     rules whose {@code dir=} includes it apply.</td></tr>
 * <tr><td>{@code table}</td><td>{@code conf/rewrite.table}</td><td>the table file; relative to the server
 *     home. A missing file means no rules; a file with a bad line stops James at start, naming the line.</td></tr>
 * <tr><td>{@code checkIntervalSeconds}</td><td>5</td><td>how often the file is checked for changes (0..3600).
 *     A changed file is reloaded; a changed file with a bad line is refused, the previous rules stay in use
 *     and the error is logged and shown by {@code smarthost-cli rewrite test}.</td></tr>
 * </table>
 *
 * <h2>EXAMPLE</h2>
 * <pre>
 * &lt;processor state="relay"&gt;
 *     &lt;!-- stage 2: address rewriting --&gt;
 *     &lt;mailet match="All" class="org.jsmarthost.mailets.rewrite.RewriteAddresses"&gt;
 *         &lt;direction&gt;out&lt;/direction&gt;
 *         &lt;table&gt;conf/rewrite.table&lt;/table&gt;
 *         &lt;checkIntervalSeconds&gt;5&lt;/checkIntervalSeconds&gt;
 *     &lt;/mailet&gt;
 * &lt;/processor&gt;
 * </pre>
 *
 * <h2>RELATION TO JAMES'S RecipientRewriteTable</h2>
 * James's stock {@code RecipientRewriteTable} mailet (mappings made with {@code james-cli AddAddressMapping},
 * {@code AddRegexMapping}, {@code AddDomainMapping}) runs first, in the {@code transport} processor: it decides
 * where a recipient's mail goes (local delivery, or a forward to an outside address, which it re-sends so that
 * it reaches the relay processor). This mailet runs afterwards in the {@code relay} processor, on the mail as it
 * leaves: it changes how senders and header addresses look to the outside, per direction, which RRT cannot do.
 * Use {@code envelope-recipient} rules only for what RRT cannot express.
 *
 * <h2>HEADERS</h2>
 * Only the headers some rule names are looked at; only the addr-spec text of a matching address is replaced.
 * Display names, comments, encoded words, groups and other addresses stay byte for byte. A header that
 * cannot be parsed is left alone (logged at WARN). Run this mailet before DKIM signing.
 *
 * <h2>DIAGNOSTICS</h2>
 * <ul>
 * <li>log (INFO): {@code rewrite MAIL-NAME: envelope-sender old@a -> new@b (rule ID)}, one line per change;</li>
 * <li>mail attribute {@value #CHANGES_ATTRIBUTE}: the list of changes as {@code "WHAT: before -> after (rule ID)"};</li>
 * <li>metrics: {@code smarthost_rewrite_rule_ID} per change, {@code smarthost_rewrite_mails} per rewritten mail;</li>
 * <li>MXBean {@value RewriteDiagnostics#OBJECT_NAME} and {@code smarthost-cli rewrite test}.</li>
 * </ul>
 *
 * <h2>LIMITS</h2>
 * A rewritten header keeps its place in the header block; when a header occurs several times and one of them
 * changes, they are all put together at the place of the last one (in their order). The null sender is never
 * rewritten.
 */
public final class RewriteAddresses extends PackMailet {
    public static final String DIRECTION = "direction";
    public static final String TABLE = "table";
    public static final String CHECK_INTERVAL = "checkIntervalSeconds";
    public static final String DEFAULT_TABLE = "conf/rewrite.table";
    public static final String CHANGES_ATTRIBUTE = "org.jsmarthost.rewrite.changes";
    static final AttributeName CHANGES = AttributeName.of(CHANGES_ATTRIBUTE);
    private static final Set<String> PARAMETERS = Set.of(DIRECTION, TABLE, CHECK_INTERVAL);
    private static final Logger LOGGER = LoggerFactory.getLogger(RewriteAddresses.class);

    private final MetricFactory metrics;
    private final Clock clock;
    private final Path home;
    private RewriteDirection direction;
    private RewriteTableReloader reloader;

    @Inject
    public RewriteAddresses(MetricFactory metrics) {
        this(metrics, Clock.systemUTC(), SrsSettings.workingDirectory());
    }

    @VisibleForTesting
    RewriteAddresses(MetricFactory metrics, Clock clock, Path home) {
        this.metrics = metrics;
        this.clock = clock;
        this.home = home;
    }

    @Override
    public void init() throws MessagingException {
        Parameters.checkKnown(this, PARAMETERS);
        try {
            direction = RewriteDiagnostics.direction(Parameters.required(this, DIRECTION, "out or in"));
        } catch (IllegalArgumentException e) {
            throw new MessagingException(e.getMessage());
        }
        int interval = Parameters.integer(this, CHECK_INTERVAL, 5, 0, 3600);
        Path file = home.resolve(getInitParameter(TABLE, DEFAULT_TABLE).trim());
        try {
            reloader = RewriteTableReloader.start(file, clock, Duration.ofSeconds(interval));
            RewriteDiagnostics.instance().tableLoaded(reloader);
        } catch (RewriteTableException e) {
            throw new MessagingException(TABLE + ": " + e.getMessage());
        } catch (IOException e) {
            throw new MessagingException(TABLE + ": cannot read '" + file + "': " + e, e);
        } catch (JMException e) {
            throw new MessagingException("cannot register MBean " + RewriteDiagnostics.OBJECT_NAME, e);
        }
        PackStatus.instance().componentLoaded("mailet", getMailetName(), getClass());
        LOGGER.info("RewriteAddresses direction={} table={} ({} rules)", direction, file,
                reloader.current().rules().size());
    }

    @Override
    protected void process(Mail mail) throws MessagingException {
        RewriteTable table = reloader.current();
        if (table.rules().isEmpty()) {
            return;
        }
        List<String> changes = new ArrayList<>();
        if (mail.getMaybeSender().asOptional().isPresent()) {
            String sender = mail.getMaybeSender().get().asString();
            Optional<RewriteResult> r = table.rewrite(sender, RewriteTarget.ENVELOPE_SENDER, direction);
            if (r.isPresent()) {
                Parameters.setSender(mail, new MailAddress(r.get().address()));
                changed(mail, changes, "envelope-sender", r.get());
            }
        }
        List<MailAddress> recipients = new ArrayList<>();
        boolean recipientChanged = false;
        for (MailAddress recipient : mail.getRecipients()) {
            Optional<RewriteResult> r = table.rewrite(recipient.asString(), RewriteTarget.ENVELOPE_RECIPIENT, direction);
            if (r.isPresent()) {
                MailAddress rewritten = new MailAddress(r.get().address());
                if (!recipients.contains(rewritten)) {
                    recipients.add(rewritten);
                }
                recipientChanged = true;
                changed(mail, changes, "envelope-recipient", r.get());
            } else if (!recipients.contains(recipient)) {
                recipients.add(recipient);
            }
        }
        if (recipientChanged) {
            mail.setRecipients(recipients);
        }
        if (rewriteHeaders(mail, table, changes)) {
            mail.getMessage().saveChanges();
        }
        if (!changes.isEmpty()) {
            mail.setAttribute(new Attribute(CHANGES, AttributeValue.of(changes.stream()
                    .map(AttributeValue::of).collect(java.util.stream.Collectors.toList()))));
            metrics.generate("smarthost_rewrite_mails").increment();
        }
    }

    private boolean rewriteHeaders(Mail mail, RewriteTable table, List<String> changes) throws MessagingException {
        MimeMessage message = mail.getMessage();
        boolean any = false;
        for (String name : RewriteTarget.HEADER_NAMES.values()) {
            if (!table.rewritesHeader(name)) {
                continue;
            }
            String[] values = message.getHeader(name);
            if (values == null) {
                continue;
            }
            RewriteTarget target = RewriteTarget.header(name);
            String[] rewritten = values.clone();
            boolean headerChanged = false;
            for (int i = 0; i < values.length; i++) {
                List<RewriteResult> applied = new ArrayList<>();
                HeaderRewriteResult result = HeaderAddressRewriter.rewrite(values[i],
                        a -> table.rewrite(a, target, direction).map(r -> {
                            applied.add(r);
                            return r.address();
                        }));
                result.problem().ifPresent(p -> LOGGER.warn("rewrite {}: header {} left unchanged, cannot parse it: {}",
                        mail.getName(), name, p));
                if (result.changed()) {
                    rewritten[i] = result.value();
                    headerChanged = true;
                    for (RewriteResult r : applied) {
                        changed(mail, changes, name + ":", r);
                    }
                }
            }
            if (headerChanged) {
                // not setHeader: with James's MailHeaders it fills the empty slot of the name javax.mail keeps at
                // the top, moving e.g. From above Received. removeHeader blanks the lines where they are, and
                // addHeader inserts after the last (blank) line of that name: the header stays in its place.
                message.removeHeader(name);
                for (String value : rewritten) {
                    message.addHeader(name, value);
                }
                any = true;
            }
        }
        return any;
    }

    private void changed(Mail mail, List<String> changes, String what, RewriteResult r) {
        String change = what + " " + r.original() + " -> " + r.address() + " (rule " + r.ruleId() + ")";
        changes.add(change);
        LOGGER.info("rewrite {}: {}", mail.getName(), change);
        metrics.generate("smarthost_rewrite_rule_" + r.ruleId()).increment();
    }

    @Override
    public String getMailetInfo() {
        return "james-smarthost RewriteAddresses: sender, recipient and header rewriting by conf/rewrite.table";
    }
}
