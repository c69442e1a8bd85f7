package org.jsmarthost.matchers.srs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.jsmarthost.core.srs.SrsCodec;
import org.jsmarthost.core.srs.SrsReverseResult;
import org.jsmarthost.core.srs.SrsSettings;
import org.jsmarthost.core.status.PackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;

/**
 * SMTP RCPT hook for bounces to our SRS addresses (made by the {@code SrsForward} mailet for mail we forward).
 * For a recipient in the SRS domain:
 * <ul>
 * <li>an SRS address whose hash verifies against one of the secrets and that is not older than
 *     {@code maxAgeDays}: <b>accepted</b> ({@code 250 2.1.5}), from any client. This is a deliberate exception to
 *     the relay rules: we are responsible for bounces to the addresses we put into the envelope, and the
 *     hash proves that we did. The hook returns OK, so the later hooks (the stock relay check, the pack's relay
 *     policy) are skipped for this recipient; the {@code ReverseSrs} mailet in {@code transport} then sends the
 *     bounce back to the original sender.</li>
 * <li>a forged SRS address (hash matches no secret): {@code 550 5.7.1}, an expired or malformed one:
 *     {@code 550 5.1.1}, with the precise reason. Never relayed: a forged SRS address must not turn the SRS
 *     domain into an open relay.</li>
 * <li>an address in the SRS domain that is not an SRS address (e.g. {@code postmaster@}): DECLINED, the
 *     normal rules apply.</li>
 * </ul>
 * Every other recipient: DECLINED.
 *
 * <h2>WHERE</h2>
 * In the handler chain of the MX listener, before the pack's relay-policy hooks and before
 * {@code CoreCmdHandlerLoader} (bounces arrive on the MX port from anywhere). Not on submission/SMTPS: there
 * clients must authenticate anyway, and an invalid SRS recipient sent by an authenticated user is caught by
 * {@code ReverseSrs} (to {@code relay-denied}, never relayed).
 *
 * <h2>PARAMETERS</h2>
 * The shared SRS parameters ({@link SrsSettings}); they must be the same as those of {@code SrsForward} and
 * {@code ReverseSrs} in {@code mailetcontainer.xml}: {@code srsDomain} (default: the HELO name),
 * {@code secretsFile} ({@code conf/srs.secrets}), {@code hashLength} (4), {@code hashMin} (= hashLength),
 * {@code maxAgeDays} (21). Unknown parameters stop the start.
 *
 * <h2>EXAMPLE</h2>
 * <pre>
 * &lt;handlerchain&gt;
 *     &lt;handler class="org.jsmarthost.matchers.srs.SrsRecipientHook"&gt;
 *         &lt;srsDomain&gt;relay.example.net&lt;/srsDomain&gt;
 *         &lt;secretsFile&gt;conf/srs.secrets&lt;/secretsFile&gt;
 *         &lt;maxAgeDays&gt;21&lt;/maxAgeDays&gt;
 *     &lt;/handler&gt;
 *     &lt;handler class="org.apache.james.smtpserver.fastfail.ValidRcptHandler"/&gt;
 *     &lt;handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/&gt;
 * &lt;/handlerchain&gt;
 * </pre>
 *
 * <h2>DIAGNOSTICS</h2>
 * Log INFO {@code SRS bounce accepted: RCPT <SRS0=...> from CLIENT-IP (original alice@orig.example)}, WARN for
 * refusals with the reason; metrics {@code smarthost_srs_rcpt_OK}, {@code smarthost_srs_rcpt_BAD_HASH},
 * {@code smarthost_srs_rcpt_EXPIRED}, {@code smarthost_srs_rcpt_MALFORMED}. {@code smarthost-cli srs reverse ADDR}
 * shows the same verdict.
 */
public final class SrsRecipientHook implements RcptHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(SrsRecipientHook.class);

    private final MetricFactory metrics;
    private final Clock clock;
    private final Path home;
    private SrsCodec codec;

    @Inject
    public SrsRecipientHook(MetricFactory metrics) {
        this(metrics, Clock.systemUTC(), SrsSettings.workingDirectory());
    }

    @VisibleForTesting
    SrsRecipientHook(MetricFactory metrics, Clock clock, Path home) {
        this.metrics = metrics;
        this.clock = clock;
        this.home = home;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> keys = config.getKeys(); keys.hasNext(); ) {
            String key = keys.next();
            String top = key.split("[.\\[]", 2)[0];
            if (!top.isEmpty() && !SrsSettings.PARAMETERS.contains(top)) {
                unknown.add(top);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigurationException("SrsRecipientHook: unknown parameter(s) " + unknown + ", expected some of "
                    + new TreeSet<>(SrsSettings.PARAMETERS));
        }
        SrsSettings settings;
        try {
            settings = SrsSettings.parse(name -> config.getString(name, null), SrsSettings.heloName(), home);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("SrsRecipientHook: " + e.getMessage());
        }
        try {
            codec = settings.codec(clock, domain -> false);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException("SrsRecipientHook: secretsFile: cannot use '" + settings.secretsFile()
                    + "': " + e.getMessage(), e);
        }
        PackStatus.instance().componentLoaded("smtp-hook", "SrsRecipientHook", getClass());
        LOGGER.info("SrsRecipientHook {}", codec.config());
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        String address = rcpt.asString();
        if (!codec.isInSrsDomain(address)) {
            return HookResult.DECLINED;
        }
        SrsReverseResult result = codec.reverse(address);
        if (result.status() == SrsReverseResult.Status.NOT_SRS) {
            return HookResult.DECLINED;
        }
        String client = session == null || session.getRemoteAddress() == null ? "?"
                : session.getRemoteAddress().getAddress().getHostAddress();
        metrics.generate("smarthost_srs_rcpt_" + result.status().name()).increment();
        if (result.isValid()) {
            LOGGER.info("SRS bounce accepted: RCPT <{}> from {} (original {})", address, client,
                    result.address().orElse("?"));
            return HookResult.builder().hookReturnCode(HookReturnCode.ok()).smtpReturnCode("250")
                    .smtpDescription("2.1.5 SRS address verified: the bounce goes back to the original sender").build();
        }
        String code;
        String why;
        switch (result.status()) {
            case BAD_HASH:
                code = "5.7.1";
                why = "forged SRS address";
                break;
            case EXPIRED:
                code = "5.1.1";
                why = "expired SRS address";
                break;
            default:
                code = "5.1.1";
                why = "malformed SRS address";
        }
        LOGGER.warn("SRS recipient refused: RCPT <{}> from {}: {} ({})", address, client, result.status(), result.detail());
        return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("550")
                .smtpDescription(code + " <" + address + ">: " + why + " (" + result.detail() + "), not relayed").build();
    }
}
