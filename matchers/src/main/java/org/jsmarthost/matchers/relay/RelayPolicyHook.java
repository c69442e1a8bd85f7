package org.jsmarthost.matchers.relay;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jsmarthost.core.relay.ClientContext;
import org.jsmarthost.core.relay.Decision;
import org.jsmarthost.core.relay.DecisionLog;
import org.jsmarthost.core.relay.Identity;
import org.jsmarthost.core.relay.PolicyException;
import org.jsmarthost.core.status.PackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The smarthost relay policy at SMTP time: MAIL, RCPT and after DATA, on every listener. Refusals are SMTP
 * replies naming the reason and the rule ({@code 550 5.7.1 Relay access denied: ... [rule outbound.relay-denied]}),
 * never bounces. The decision itself is {@link org.jsmarthost.core.relay.RelayDecider} over the policy file
 * {@code conf/smarthost-policy.conf} (format: {@link org.jsmarthost.core.relay.RelayPolicy}).
 *
 * <h2>What it does per command</h2>
 * <ul>
 * <li>It is also a command handler for {@code MAIL} and {@code RCPT} that runs before James's own and only
 *     remembers the <em>raw</em> path the client sent: James appends its default domain to unqualified addresses
 *     and drops source routes before any hook sees the address, so the address tricks are judged on the raw
 *     text.</li>
 * <li>{@code MAIL}: refused with the decision's reply ({@code 530 5.7.0} submission without TLS/AUTH,
 *     {@code 553 5.1.7} address trick, {@code 553 5.7.1} sender not owned by the login); otherwise DECLINED.</li>
 * <li>{@code RCPT}: refused with the decision's reply ({@code 553 5.1.3}, {@code 550 5.1.1}, {@code 550 5.7.1},
 *     {@code 451 4.3.0}); a recipient in a James local domain: DECLINED (James's normal checks run). Allowed
 *     outbound recipients are counted against the send quotas ({@code 452 4.7.1} with the reset time when over).
 *     Then, allowed: DECLINED when James itself lets the session relay (AUTH, {@code authorizedAddresses}), so
 *     the stock checks still run and nothing is widened. <b>Exceptions answering OK</b> (which skips the later
 *     RCPT hooks, including James's {@code AuthRequiredToRelayRcptHook}): (1) a recipient in a relay domain of the
 *     policy (inbound: we are that domain's gateway, James knows nothing about it and would refuse); (2) an
 *     outbound recipient allowed by SMTP-after-POP or by a {@code trusted_networks} entry that James's
 *     {@code authorizedAddresses} does not list (James does not know these identities).</li>
 * <li>After DATA: {@code From:}/{@code Sender:} ownership for a login ({@code 550 5.7.1}), then the message
 *     quota ({@code 451 4.7.1}). The accepted mail gets the attribute {@code org.jsmarthost.relay.rules} (the
 *     distinct rule ids of its recipients, comma-separated) and {@code org.jsmarthost.relay.trace}
 *     ({@code rules=...}), which the relay processor writes as the header {@code X-Smarthost-Relay: rules=...}
 *     (any such header the client sent is removed first). The header carries rule ids only: never the login,
 *     the client address or a recipient (it leaves the organisation with the mail, Bcc recipients stay
 *     secret).</li>
 * </ul>
 * Every decision is logged as one line on the {@code org.jsmarthost.relay} logger ({@link DecisionLog}) and
 * counted in the metric {@code smarthost_relay_rule_<rule id>} (dots and dashes as underscores).
 *
 * <h2>Parameters</h2>
 * <ul>
 * <li>{@code submission}: {@code true} on a submission listener (587/465): only SMTP AUTH counts there, MAIL
 *     without AUTH gets {@code 530 5.7.0}. Default {@code false}.</li>
 * <li>{@code policyFile}: the policy file, relative to the James home. Default
 *     {@code conf/smarthost-policy.conf}. Missing or invalid: the server does not start (the error names the line,
 *     key and value). Edits are picked up within 2 seconds; a bad edit is refused (ERROR log) and the last good
 *     policy stays.</li>
 * <li>{@code stateBackend}: where SMTP-after-POP logins and quota counters live: {@code memory} (default) or
 *     {@code redis://HOST:PORT} (needs the smarthost-redis jar). Use the same value in every chain, in the POP3
 *     handler ({@link PopLoginRecorder}) and in the matcher condition ({@link IsRelayPermitted}).</li>
 * </ul>
 * Any other parameter is refused at start-up. This hook replaces James's {@code verifyIdentity}: set
 * {@code <verifyIdentity>false</verifyIdentity>} on every listener (the stock check knows neither grants nor
 * address mappings and answers 503 where the policy answers 553 5.7.1).
 *
 * <pre>{@code
 * <handlerchain>
 *     <handler class="org.jsmarthost.matchers.relay.RelayPolicyHook">
 *         <submission>true</submission>
 *         <policyFile>conf/smarthost-policy.conf</policyFile>
 *         <stateBackend>memory</stateBackend>
 *     </handler>
 *     <handler class="org.apache.james.smtpserver.fastfail.ValidRcptHandler"/>
 *     <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
 * </handlerchain>
 * }</pre>
 */
public final class RelayPolicyHook implements CommandHandler<SMTPSession>, MailHook, RcptHook, JamesMessageHook {
    static final Logger DECISIONS = LoggerFactory.getLogger("org.jsmarthost.relay");
    static final AttributeName RULES = AttributeName.of("org.jsmarthost.relay.rules");
    static final String HEADER = "X-Smarthost-Relay";
    /** Value of the {@value #HEADER} header the relay processor adds: {@code rules=<rule ids>}. */
    static final AttributeName TRACE = AttributeName.of("org.jsmarthost.relay.trace");
    static final Set<String> PARAMETERS = Set.of("submission", "policyFile", "stateBackend");

    private static final AttachmentKey<String> PENDING_PATH = AttachmentKey.of("org.jsmarthost.relay.pending", String.class);
    private static final AttachmentKey<String> RAW_SENDER = AttachmentKey.of("org.jsmarthost.relay.sender", String.class);
    private static final AttachmentKey<Identity> OUTBOUND = AttachmentKey.of("org.jsmarthost.relay.identity", Identity.class);
    @SuppressWarnings("unchecked")
    private static final AttachmentKey<Set<String>> SEEN_RULES = AttachmentKey.of("org.jsmarthost.relay.rules",
            (Class<Set<String>>) (Class<?>) Set.class);

    private final DomainList domainList;
    private final RecipientRewriteTable rrt;
    private final MetricFactory metrics;
    private boolean submission;
    private RelayRuntime runtime;

    @Inject
    public RelayPolicyHook(DomainList domainList, RecipientRewriteTable rrt, MetricFactory metrics) {
        this.domainList = domainList;
        this.rrt = rrt;
        this.metrics = metrics;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        RelayRuntime.requireKnownParameters("RelayPolicyHook", config, PARAMETERS);
        String sub = config.getString("submission", "false").trim();
        if (!sub.equals("true") && !sub.equals("false")) {
            throw new ConfigurationException("RelayPolicyHook: parameter 'submission' is '" + sub
                    + "', expected true or false");
        }
        submission = Boolean.parseBoolean(sub);
        try {
            runtime = RelayRuntime.obtain(RelayRuntime.resolvePolicyFile(config.getString("policyFile", null)),
                    config.getString("stateBackend", "memory"), domainList, rrt);
        } catch (PolicyException | IllegalArgumentException e) {
            throw new ConfigurationException("RelayPolicyHook: relay policy not loaded: " + e.getMessage(), e);
        }
        PackStatus.instance().componentLoaded("smtp-hook", "RelayPolicyHook" + (submission ? " (submission)" : ""),
                getClass());
    }

    // ---- raw command text -------------------------------------------------------------------------------------

    @Override
    public Collection<String> getImplCommands() {
        return List.of("MAIL", "RCPT");
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        String path = rawPath(request.getCommand(), request.getArgument());
        if (path == null) {
            session.removeAttachment(PENDING_PATH, State.Connection);
        } else {
            session.setAttachment(PENDING_PATH, path, State.Connection);
        }
        return null;
    }

    /**
     * The path as James will parse it, before James touches it: text after the first colon, trimmed, without
     * the ESMTP parameters (split exactly where James splits them).
     */
    static String rawPath(String command, String argument) {
        if (argument == null || argument.indexOf(':') <= 0) {
            return null;
        }
        String path = argument.substring(argument.indexOf(':') + 1).trim();
        int end = "MAIL".equalsIgnoreCase(command) ? path.indexOf('>', path.indexOf('<')) : path.lastIndexOf('>');
        if (end > 0 && path.length() > end + 2 && path.charAt(end + 1) == ' ') {
            path = path.substring(0, end + 1);
        }
        return path;
    }

    private Optional<String> takePending(SMTPSession session) {
        return session.removeAttachment(PENDING_PATH, State.Connection);
    }

    // ---- MAIL / RCPT / DATA ---------------------------------------------------------------------------------

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        return failClosed(() -> mail(session));
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        return failClosed(() -> rcpt(session, sender));
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        return failClosed(() -> message(session, mail));
    }

    /**
     * A failure of the state backend (e.g. Redis unreachable: SMTP-after-POP lookup, quota counters) or of a
     * James lookup never lets the command through: the client gets {@code 451 4.3.0} and retries later.
     */
    private static HookResult failClosed(Supplier<HookResult> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            DECISIONS.error("relay-decision rule=lookup.failed text=\"relay state unavailable: {}\"", e.toString());
            return HookResult.builder().hookReturnCode(HookReturnCode.denySoft()).smtpReturnCode("451")
                    .smtpDescription("4.3.0 Relay state unavailable, try again later [rule lookup.failed]").build();
        }
    }

    private HookResult mail(SMTPSession session) {
        Optional<String> raw = takePending(session);
        ClientContext ctx = context(session);
        if (raw.isEmpty()) {
            return missingRawText(ctx);
        }
        Decision d = runtime.decider.checkSender(ctx, raw.get());
        record(d, ctx, raw.get(), null);
        if (d.isRefused()) {
            return reply(d);
        }
        session.setAttachment(RAW_SENDER, raw.get(), State.Transaction);
        return HookResult.DECLINED;
    }

    private HookResult rcpt(SMTPSession session, MaybeSender sender) {
        Optional<String> raw = takePending(session);
        Optional<String> rawSender = session.getAttachment(RAW_SENDER, State.Transaction);
        ClientContext ctx = context(session);
        if (raw.isEmpty() || rawSender.isEmpty()) {
            return missingRawText(ctx);
        }
        Decision d = runtime.decider.checkRecipient(ctx, rawSender.get(), raw.get());
        if (d.isAllowed() && d.identity().isPresent()) {
            Decision q = runtime.quotas.consumeRecipients(d.identity().get(), senderDomain(sender), 1, now());
            if (q.isRefused()) {
                d = q;
            } else {
                session.setAttachment(OUTBOUND, d.identity().get(), State.Transaction);
            }
        }
        record(d, ctx, rawSender.get(), raw.get());
        if (d.isRefused()) {
            return reply(d);
        }
        rules(session).add(d.ruleId());
        if (d.outcome() == Decision.Outcome.LOCAL) {
            return HookResult.DECLINED;
        }
        if (d.nextHop().isPresent() || !session.isRelayingAllowed()) {
            return HookResult.OK;
        }
        return HookResult.DECLINED;
    }

    private HookResult message(SMTPSession session, Mail mail) {
        ClientContext ctx = context(session);
        try {
            MimeMessage message = mail.getMessage();
            // read (James parses the header block) only when the decision needs the fields: a login
            Decision d = runtime.decider.checkHeaders(ctx, name -> values(message.getHeader(name)));
            Optional<Identity> outbound = session.getAttachment(OUTBOUND, State.Transaction);
            if (!d.isRefused() && outbound.isPresent()) {
                Decision q = runtime.quotas.consumeMessage(outbound.get(), senderDomain(mail.getMaybeSender()), now());
                if (q.isRefused()) {
                    d = q;
                }
            }
            record(d, ctx, session.getAttachment(RAW_SENDER, State.Transaction).orElse(null), null);
            if (d.isRefused()) {
                return reply(d);
            }
            Set<String> rules = rules(session);
            String value = String.join(",", rules);
            mail.setAttribute(new Attribute(RULES, AttributeValue.of(value)));
            if (!rules.isEmpty()) {
                mail.setAttribute(new Attribute(TRACE, AttributeValue.of("rules=" + value)));
            }
            // the message itself is not touched at SMTP time: it is spooled (and archived as received) exactly as
            // the client sent it; the relay processor turns TRACE into the X-Smarthost-Relay header
            // (conf/mailetcontainer.xml: org.jsmarthost.mailets.relay.AddRelayTrace)
            return HookResult.DECLINED;
        } catch (MessagingException e) {
            DECISIONS.warn("relay-decision header check failed: {}", e.toString());
            return HookResult.builder().hookReturnCode(HookReturnCode.denySoft()).smtpReturnCode("451")
                    .smtpDescription("4.3.0 Temporary failure reading the message headers [rule lookup.failed]").build();
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private ClientContext context(SMTPSession session) {
        InetAddress client = session.getRemoteAddress().getAddress();
        String login = session.getUsername() == null ? null : session.getUsername().asString();
        return ClientContext.builder(client).tls(session.isTLSStarted()).submission(submission).authLogin(login)
                .popLogin(runtime.popAuth.lookup(client, now()).orElse(null)).build();
    }

    private Instant now() {
        return runtime.clock.instant();
    }

    private static Set<String> rules(SMTPSession session) {
        Optional<Set<String>> rules = session.getAttachment(SEEN_RULES, State.Transaction);
        if (rules.isPresent()) {
            return rules.get();
        }
        Set<String> fresh = new LinkedHashSet<>();
        session.setAttachment(SEEN_RULES, fresh, State.Transaction);
        return fresh;
    }

    private static String senderDomain(MaybeSender sender) {
        return sender.asOptional().map(a -> a.getDomain().asString().toLowerCase(Locale.ROOT)).orElse(null);
    }

    private static List<String> values(String[] header) {
        return header == null ? List.of() : new ArrayList<>(Arrays.asList(header));
    }

    private void record(Decision d, ClientContext ctx, String sender, String recipient) {
        DECISIONS.info(DecisionLog.format(d, ctx, sender, recipient));
        metrics.generate(metricName(d.ruleId())).increment();
    }

    static String metricName(String ruleId) {
        return "smarthost_relay_rule_" + ruleId.replace('.', '_').replace('-', '_');
    }

    private HookResult missingRawText(ClientContext ctx) {
        DECISIONS.error("relay-decision rule=lookup.failed client={} text=\"the raw command text was not captured:"
                + " RelayPolicyHook must be listed before CoreCmdHandlerLoader\"", ctx);
        return HookResult.builder().hookReturnCode(HookReturnCode.denySoft()).smtpReturnCode("451")
                .smtpDescription("4.3.0 Relay policy unavailable [rule lookup.failed]").build();
    }

    static HookResult reply(Decision d) {
        return HookResult.builder()
                .hookReturnCode(d.outcome() == Decision.Outcome.TEMPFAIL ? HookReturnCode.denySoft() : HookReturnCode.deny())
                .smtpReturnCode(Integer.toString(d.code()))
                .smtpDescription(d.enhancedStatus() + " " + d.text())
                .build();
    }
}
