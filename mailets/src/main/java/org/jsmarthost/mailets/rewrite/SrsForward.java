package org.jsmarthost.mailets.rewrite;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.management.JMException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jsmarthost.core.srs.SrsCodec;
import org.jsmarthost.core.srs.SrsForwardResult;
import org.jsmarthost.core.srs.SrsSettings;
import org.jsmarthost.core.status.PackStatus;
import org.jsmarthost.mailets.PackMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;

/**
 * Rewrites the envelope sender of mail we forward to the Sender Rewriting Scheme, so that it passes SPF at the
 * destination: {@code alice@outside.example} becomes {@code SRS0=HHHH=TT=outside.example=alice@SRS-DOMAIN}
 * (and an SRS address of another forwarder {@code SRS1=...}), wire-compatible with libsrs2, Mail::SRS and
 * postsrsd (see {@link SrsCodec}). Bounces to these addresses come back to us and are verified by
 * {@code org.jsmarthost.matchers.srs.SrsRecipientHook} (SMTP) and {@link ReverseSrs} (transport).
 *
 * <h2>NEVER REWRITTEN</h2>
 * The null sender (bounces), senders in one of our domains (James's DomainList, as managed with
 * {@code james-cli AddDomain}) and senders in the SRS domain. Put the mailet behind {@code SentByMailet}, as
 * the shipped configuration does: then only mail the server itself re-sends (a RecipientRewriteTable forward
 * of a local address to an outside one) is rewritten, and mail that users and trusted applications send with
 * their own sender domains keeps its sender (and its DKIM/DMARC alignment).
 *
 * <h2>PARAMETERS</h2>
 * The shared SRS parameters, identical for {@code SrsForward}, {@link ReverseSrs} and the SMTP hook
 * (see {@link SrsSettings}):
 * <table>
 * <caption>SrsForward parameters</caption>
 * <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code srsDomain}</td><td>the HELO name (SMARTHOST_HELO)</td><td>domain of the SRS addresses; its MX
 *     must point to this server</td></tr>
 * <tr><td>{@code secretsFile}</td><td>{@code conf/srs.secrets}</td><td>one secret per line, the first signs, all
 *     verify; generated (mode 0600) on first start when missing</td></tr>
 * <tr><td>{@code hashLength}</td><td>4</td><td>hash characters in new addresses (4..27)</td></tr>
 * <tr><td>{@code hashMin}</td><td>= hashLength</td><td>shortest hash accepted when reversing</td></tr>
 * <tr><td>{@code maxAgeDays}</td><td>21</td><td>days a bounce address stays valid (1..1000)</td></tr>
 * </table>
 *
 * <h2>EXAMPLE</h2>
 * <pre>
 * &lt;mailet match="SentByMailet" class="org.jsmarthost.mailets.rewrite.SrsForward"&gt;
 *     &lt;srsDomain&gt;relay.example.net&lt;/srsDomain&gt;
 *     &lt;secretsFile&gt;conf/srs.secrets&lt;/secretsFile&gt;
 *     &lt;hashLength&gt;4&lt;/hashLength&gt;
 *     &lt;maxAgeDays&gt;21&lt;/maxAgeDays&gt;
 * &lt;/mailet&gt;
 * </pre>
 *
 * <h2>SECURITY</h2>
 * The secrets stay in {@code conf/srs.secrets} (never in XML, never logged). Whoever has them can make bounce
 * addresses this server accepts and relays. Rotation: add the new secret as the first line, keep the old one
 * below for {@code maxAgeDays}, restart.
 *
 * <h2>DIAGNOSTICS</h2>
 * Log INFO {@code srs MAIL-NAME: sender a@x -> SRS0=...} for each rewrite; mail attribute
 * {@value #OUTCOME_ATTRIBUTE} = the outcome ({@code REWRITTEN_SRS0}, {@code REWRITTEN_SRS1}, {@code NULL_SENDER},
 * {@code LOCAL_DOMAIN}, {@code SRS_DOMAIN}, {@code INVALID}); metric {@code smarthost_srs_forward_OUTCOME}.
 * {@code smarthost-cli srs forward ADDR} shows what would be done.
 */
public final class SrsForward extends PackMailet {
    public static final String OUTCOME_ATTRIBUTE = "org.jsmarthost.srs.forward";
    static final AttributeName OUTCOME = AttributeName.of(OUTCOME_ATTRIBUTE);
    private static final Logger LOGGER = LoggerFactory.getLogger(SrsForward.class);

    private final DomainList domainList;
    private final MetricFactory metrics;
    private final Clock clock;
    private final Path home;
    private SrsCodec codec;

    @Inject
    public SrsForward(DomainList domainList, MetricFactory metrics) {
        this(domainList, metrics, Clock.systemUTC(), SrsSettings.workingDirectory());
    }

    @VisibleForTesting
    SrsForward(DomainList domainList, MetricFactory metrics, Clock clock, Path home) {
        this.domainList = domainList;
        this.metrics = metrics;
        this.clock = clock;
        this.home = home;
    }

    @Override
    public void init() throws MessagingException {
        Parameters.checkKnown(this, new HashSet<>(SrsSettings.PARAMETERS));
        codec = Parameters.srsCodec(this, home, clock, this::isOurDomain);
        try {
            RewriteDiagnostics.instance().srsLoaded(codec);
        } catch (JMException e) {
            throw new MessagingException("cannot register MBean " + RewriteDiagnostics.OBJECT_NAME, e);
        }
        PackStatus.instance().componentLoaded("mailet", getMailetName(), getClass());
        LOGGER.info("SrsForward {}", codec.config());
    }

    private boolean isOurDomain(String domain) {
        try {
            return domainList.containsDomain(Domain.of(domain));
        } catch (DomainListException e) {
            throw new DomainLookupFailed(e);
        }
    }

    @Override
    protected void process(Mail mail) throws MessagingException {
        String sender = mail.getMaybeSender().asOptional().map(MailAddress::asString).orElse("");
        SrsForwardResult result;
        try {
            result = codec.forward(sender);
        } catch (DomainLookupFailed e) {
            throw new MessagingException("srs " + mail.getName() + ": cannot ask the domain list whether " + sender
                    + " is ours", (Exception) e.getCause());
        }
        if (result.rewritten()) {
            Parameters.setSender(mail, new MailAddress(result.address()));
            LOGGER.info("srs {}: sender {} -> {}", mail.getName(), sender, result.address());
        } else {
            LOGGER.debug("srs {}: sender <{}> kept ({})", mail.getName(), sender, result.outcome());
        }
        mail.setAttribute(new Attribute(OUTCOME, AttributeValue.of(result.outcome().name())));
        metrics.generate("smarthost_srs_forward_" + result.outcome().name()).increment();
    }

    @Override
    public String getMailetInfo() {
        return "james-smarthost SrsForward: SRS envelope sender for forwarded mail";
    }

    /** A DomainList failure carried through the codec's predicate. */
    private static final class DomainLookupFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DomainLookupFailed(DomainListException cause) {
            super(cause);
        }
    }
}
