package org.jsmarthost.mailets.rewrite;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.management.JMException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jsmarthost.core.srs.SrsCodec;
import org.jsmarthost.core.srs.SrsReverseResult;
import org.jsmarthost.core.srs.SrsSettings;
import org.jsmarthost.core.status.PackStatus;
import org.jsmarthost.mailets.PackMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;

/**
 * Sends bounces to our SRS addresses back to the original sender: each recipient in the SRS domain that
 * verifies (hash against every secret, age) is replaced by the address it stands for ({@code SRS0=...=
 * orig.example=alice@SRS-DOMAIN} becomes {@code alice@orig.example}; an {@code SRS1} address becomes the
 * {@code SRS0} address of the first forwarder). Put it early in {@code transport}, before
 * {@code RecipientRewriteTable}.
 *
 * <h2>ROUTING</h2>
 * The reversed recipients are split off into a copy of the mail that is re-sent through the mailet context
 * into the processor this mailet runs in ({@code transport}): the container marks it as sent by a mailet, so the
 * stock {@code SentByMailet} in {@code relay-allowed} routes it to the {@code relay} processor, exactly like a
 * RecipientRewriteTable forward. Recipients in the SRS domain that do not verify (forged, expired, malformed)
 * are split off into a copy sent to {@code invalidProcessor}, never relayed; normally the SMTP hook
 * {@code org.jsmarthost.matchers.srs.SrsRecipientHook} has already refused them at RCPT, so this catches mail
 * that got in another way (e.g. authenticated submission). Other recipients stay in the mail; a mail left
 * without recipients ends here. Addresses in the SRS domain that are not SRS addresses (e.g.
 * {@code postmaster@SRS-DOMAIN}) are left alone.
 *
 * <h2>PARAMETERS</h2>
 * The shared SRS parameters ({@code srsDomain}, {@code secretsFile}, {@code hashLength}, {@code hashMin},
 * {@code maxAgeDays}: see {@link SrsForward} and {@link SrsSettings}; they must be the same as
 * SrsForward's and the hook's), and:
 * <table>
 * <caption>ReverseSrs parameters</caption>
 * <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code invalidProcessor}</td><td>{@code relay-denied}</td><td>where mail for invalid SRS recipients
 *     goes (recorded, never relayed, no bounce)</td></tr>
 * </table>
 *
 * <h2>EXAMPLE</h2>
 * <pre>
 * &lt;mailet match="All" class="org.jsmarthost.mailets.rewrite.ReverseSrs"&gt;
 *     &lt;srsDomain&gt;relay.example.net&lt;/srsDomain&gt;
 *     &lt;secretsFile&gt;conf/srs.secrets&lt;/secretsFile&gt;
 *     &lt;maxAgeDays&gt;21&lt;/maxAgeDays&gt;
 *     &lt;invalidProcessor&gt;relay-denied&lt;/invalidProcessor&gt;
 * &lt;/mailet&gt;
 * </pre>
 *
 * <h2>DIAGNOSTICS</h2>
 * Log INFO {@code srs MAIL-NAME: bounce recipient SRS0=... -> alice@orig.example} / WARN
 * {@code srs MAIL-NAME: invalid SRS recipient ...: BAD_HASH hash 'XXXX' does not match any secret}. Mail
 * attributes: {@value #REVERSED_ATTRIBUTE} (list {@code "srs -> original"}) on the re-sent copy,
 * {@value #INVALID_ATTRIBUTE} (list {@code "address: STATUS detail"}) on the invalid copy. Metrics
 * {@code smarthost_srs_reverse_OK}, {@code smarthost_srs_reverse_BAD_HASH}, {@code ..._EXPIRED},
 * {@code ..._MALFORMED}.
 */
public final class ReverseSrs extends PackMailet {
    public static final String INVALID_PROCESSOR = "invalidProcessor";
    public static final String DEFAULT_INVALID_PROCESSOR = "relay-denied";
    public static final String REVERSED_ATTRIBUTE = "org.jsmarthost.srs.reversed";
    public static final String INVALID_ATTRIBUTE = "org.jsmarthost.srs.invalid";
    private static final Logger LOGGER = LoggerFactory.getLogger(ReverseSrs.class);

    private final MetricFactory metrics;
    private final Clock clock;
    private final Path home;
    private SrsCodec codec;
    private String invalidProcessor;

    @Inject
    public ReverseSrs(MetricFactory metrics) {
        this(metrics, Clock.systemUTC(), SrsSettings.workingDirectory());
    }

    @VisibleForTesting
    ReverseSrs(MetricFactory metrics, Clock clock, Path home) {
        this.metrics = metrics;
        this.clock = clock;
        this.home = home;
    }

    @Override
    public void init() throws MessagingException {
        Set<String> known = new HashSet<>(SrsSettings.PARAMETERS);
        known.add(INVALID_PROCESSOR);
        Parameters.checkKnown(this, known);
        invalidProcessor = getInitParameter(INVALID_PROCESSOR, DEFAULT_INVALID_PROCESSOR).trim();
        if (invalidProcessor.isEmpty()) {
            throw new MessagingException(INVALID_PROCESSOR + ": '' is empty, expected a processor name such as "
                    + DEFAULT_INVALID_PROCESSOR);
        }
        codec = Parameters.srsCodec(this, home, clock, domain -> false);
        try {
            RewriteDiagnostics.instance().srsLoaded(codec);
        } catch (JMException e) {
            throw new MessagingException("cannot register MBean " + RewriteDiagnostics.OBJECT_NAME, e);
        }
        PackStatus.instance().componentLoaded("mailet", getMailetName(), getClass());
        LOGGER.info("ReverseSrs {}, invalid SRS recipients to '{}'", codec.config(), invalidProcessor);
    }

    @Override
    protected void process(Mail mail) throws MessagingException {
        List<MailAddress> others = new ArrayList<>();
        List<MailAddress> reversed = new ArrayList<>();
        List<String> reversals = new ArrayList<>();
        List<MailAddress> invalid = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            String address = recipient.asString();
            SrsReverseResult result = codec.isInSrsDomain(address) ? codec.reverse(address) : null;
            if (result == null || result.status() == SrsReverseResult.Status.NOT_SRS) {
                others.add(recipient);
                continue;
            }
            String reason = result.status() + " " + result.detail();
            if (result.isValid()) {
                try {
                    MailAddress original = new MailAddress(result.address().orElseThrow());
                    reversed.add(original);
                    reversals.add(address + " -> " + original.asString());
                    LOGGER.info("srs {}: bounce recipient {} -> {}", mail.getName(), address, original.asString());
                    metrics.generate("smarthost_srs_reverse_OK").increment();
                    continue;
                } catch (AddressException e) {
                    reason = "MALFORMED the original address '" + result.address().orElseThrow() + "' is not valid";
                }
            }
            invalid.add(recipient);
            reasons.add(address + ": " + reason);
            LOGGER.warn("srs {}: invalid SRS recipient {}: {}", mail.getName(), address, reason);
            metrics.generate("smarthost_srs_reverse_" + reason.substring(0, reason.indexOf(' '))).increment();
        }
        if (reversed.isEmpty() && invalid.isEmpty()) {
            return;
        }
        if (!reversed.isEmpty()) {
            split(mail, reversed, REVERSED_ATTRIBUTE, reversals, mail.getState());
        }
        if (!invalid.isEmpty()) {
            split(mail, invalid, INVALID_ATTRIBUTE, reasons, invalidProcessor);
        }
        if (others.isEmpty()) {
            mail.setState(Mail.GHOST);
        }
        mail.setRecipients(others);
    }

    private void split(Mail mail, List<MailAddress> recipients, String attribute, List<String> notes, String state)
            throws MessagingException {
        Mail copy = mail.duplicate();
        try {
            copy.setRecipients(recipients);
            copy.setAttribute(new Attribute(AttributeName.of(attribute),
                    AttributeValue.of(notes.stream().map(AttributeValue::of).collect(Collectors.toList()))));
            getMailetContext().sendMail(copy, state);
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }

    @Override
    public String getMailetInfo() {
        return "james-smarthost ReverseSrs: bounces to SRS addresses go back to the original sender";
    }
}
