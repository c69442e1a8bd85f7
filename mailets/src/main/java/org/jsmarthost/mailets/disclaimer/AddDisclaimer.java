package org.jsmarthost.mailets.disclaimer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.Address;
import javax.mail.MessagingException;
import javax.mail.internet.InternetAddress;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jsmarthost.core.mime.Disclaimer;
import org.jsmarthost.core.mime.DisclaimerInserter;
import org.jsmarthost.core.mime.DisclaimerSpec;
import org.jsmarthost.core.mime.DisclaimerVars;
import org.jsmarthost.core.mime.InsertResult;
import org.jsmarthost.core.mime.ReloadingDisclaimerTemplates;
import org.jsmarthost.core.status.PackStatus;
import org.jsmarthost.mailets.HeapBuffer;
import org.jsmarthost.mailets.OutOfMemory;
import org.jsmarthost.mailets.PackMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds the legal disclaimer (footer or banner) to outgoing mail without breaking the message: stage 3 of the
 * {@code relay} processor. The MIME work is done by {@link DisclaimerInserter} (every body shape, charsets,
 * signed mail, no stacking; everything not changed stays byte-identical); this mailet chooses the rule and
 * template, handles recipient scope and routes rejected or unparseable mail.
 *
 * <h2>Parameters</h2>
 * <table>
 *   <caption>parameters</caption>
 *   <tr><th>name</th><th>value</th><th>default</th></tr>
 *   <tr><td>rules</td><td>the rules file ({@link DisclaimerRules}: selectors, templates, scope, position, signed
 *       and attachment-only policies); templates {@code NAME.txt}/{@code NAME.html} live next to it. Relative
 *       paths are relative to the James home ({@code working.directory}).</td>
 *       <td>{@code conf/disclaimer/rules.conf}</td></tr>
 *   <tr><td>rejectProcessor</td><td>processor for signed mail under {@code signed=reject}</td><td>{@code error}</td></tr>
 *   <tr><td>unparseableProcessor</td><td>processor for mail the inserter cannot parse or decode; it goes there
 *       unchanged</td><td>{@code error}</td></tr>
 * </table>
 * The rules file and every template it names are read in {@code init()}; an error there stops James with a
 * message naming the file and line. Template files are re-read when they change (no restart needed; an invalid
 * edit keeps the previous version and logs a warning). Changing the rules file needs a restart.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * <mailet match="org.jsmarthost.mailets.disclaimer.DisclaimerScope=conf/disclaimer/rules.conf"
 *         class="org.jsmarthost.mailets.disclaimer.AddDisclaimer">
 *     <rules>conf/disclaimer/rules.conf</rules>
 *     <rejectProcessor>error</rejectProcessor>
 *     <unparseableProcessor>error</unparseableProcessor>
 * </mailet>
 * }</pre>
 *
 * <h2>Per message</h2>
 * The envelope sender selects the rule; {@code ${sender}} is that address and {@code ${sender.name}} the display
 * name of the {@code From:} field when it has the same address. A recipient is internal when its domain is in
 * James's domain list or an {@code internal} entry of the rules file. {@code scope=external-only} needs the
 * matcher {@link DisclaimerScope} (as in the example): it lets James split the mail so that the internal
 * recipients' copy skips this mailet and continues unchanged; without it such mail gets the disclaimer for
 * all recipients and a warning is logged. Then, depending on the outcome:
 * <ul>
 *   <li>modified ({@code inserted}, {@code wrapped-signed}, {@code added-part}): the message is replaced;</li>
 *   <li>skipped ({@code no-rule}, {@code rule-none}, {@code internal-only}, {@code already-present},
 *       {@code signed-skip}, {@code no-text-body}): unchanged, goes on;</li>
 *   <li>{@code signed-reject}: unchanged, to {@code rejectProcessor} with the reason as error message;</li>
 *   <li>{@code unparseable}, {@code undecodable-part}, {@code io-error}: unchanged, to
 *       {@code unparseableProcessor} with the reason as error message. Never half-modified, never dropped.</li>
 * </ul>
 *
 * <h2>Diagnostics</h2>
 * Mail attributes: {@code org.jsmarthost.disclaimer} = the reason code above, {@code org.jsmarthost.disclaimer.rule}
 * = the selector and line of the rule, {@code org.jsmarthost.disclaimer.template} = the template name.
 * Metrics (James {@link MetricFactory}, JMX): {@code smarthost_disclaimer_<code>} with {@code -} written as
 * {@code _}, e.g. {@code smarthost_disclaimer_wrapped_signed}. One INFO log line per mail with the code.
 *
 * <h2>Security</h2>
 * An incoming {@code X-Smarthost-Disclaimer} header would suppress the disclaimer: strip it at the edge with
 * {@link StripDisclaimerHeader} early in {@code transport}.
 *
 * <h2>Limits</h2>
 * A message of up to {@value #IN_HEAP_LIMIT} bytes is processed in byte arrays; a larger one is spooled to two
 * temporary files in {@code java.io.tmpdir} and only its changed text parts are held in memory. A text body over
 * the rule's {@code max-edit-size} (default 4 MiB, as encoded; see {@link DisclaimerRules}) is not changed: the
 * message is wrapped into a {@code multipart/mixed} with the disclaimer as a second part (outcome
 * {@code added-part}), so memory stays bounded whatever the size of the text. If changing a body in place runs out
 * of memory all the same (a large {@code max-edit-size} on a small heap, or many large mails at once), the mailet
 * logs a warning ({@code disclaimer: out of memory while changing the text of mail ...}) and adds the disclaimer
 * as a part of its own instead ({@code added-part}); if even that runs out of memory, it throws a
 * {@link MessagingException} naming the mail, its size and the heap limit, and James sends the unchanged mail to
 * the {@code onMailetException} processor ({@code error} by default: {@code var/mail/error}). Mailets after
 * this one must not call {@code saveChanges()} on the message if byte-exactness matters (javax.mail would rewrite
 * headers and boundaries); James's own RemoteDelivery does not, unless the next hop
 * lacks 8BITMIME and 8-bit parts must be converted.
 */
public final class AddDisclaimer extends PackMailet {
    private static final Logger LOG = LoggerFactory.getLogger(AddDisclaimer.class);
    public static final AttributeName REASON = AttributeName.of("org.jsmarthost.disclaimer");
    public static final AttributeName RULE = AttributeName.of("org.jsmarthost.disclaimer.rule");
    public static final AttributeName TEMPLATE = AttributeName.of("org.jsmarthost.disclaimer.template");
    static final String INTERNAL_COPY = "internal-copy";
    /** Messages up to this size are changed in the heap, larger ones through temporary files. */
    static final int IN_HEAP_LIMIT = 256 * 1024;
    static final String DEFAULT_RULES = "conf/disclaimer/rules.conf";
    private static final Set<String> PARAMETERS = Set.of("rules", "rejectProcessor", "unparseableProcessor");

    private final DomainList domainList;
    private final MetricFactory metrics;
    private final Clock clock;
    private final DisclaimerInserter inserter = new DisclaimerInserter();
    private DisclaimerRules rules;
    private Map<String, ReloadingDisclaimerTemplates> templates;
    private String rejectProcessor;
    private String unparseableProcessor;

    @Inject
    public AddDisclaimer(DomainList domainList, MetricFactory metrics) {
        this(domainList, metrics, Clock.systemDefaultZone());
    }

    AddDisclaimer(DomainList domainList, MetricFactory metrics, Clock clock) {
        this.domainList = domainList;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        checkInitParameters(PARAMETERS);
        Path file = home().resolve(getInitParameter("rules", DEFAULT_RULES)).normalize();
        rejectProcessor = processor("rejectProcessor", getInitParameter("rejectProcessor", "error"));
        unparseableProcessor = processor("unparseableProcessor", getInitParameter("unparseableProcessor", "error"));
        try {
            rules = DisclaimerRules.load(file);
            templates = new LinkedHashMap<>();
            for (String name : rules.templateNames()) {
                Path txt = file.resolveSibling(name + ".txt");
                Path html = file.resolveSibling(name + ".html");
                templates.put(name, new ReloadingDisclaimerTemplates(txt, Files.exists(html) ? html : null));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new MessagingException("AddDisclaimer: parameter 'rules' (" + file + "): " + e.getMessage(), e);
        }
        PackStatus.instance().componentLoaded("mailet", getMailetName(), getClass());
        LOG.info("AddDisclaimer: {} rules from {}, templates {}", rules.rules().size(), file, templates.keySet());
    }

    static Path home() {
        return Path.of(System.getProperty("working.directory", ".")).toAbsolutePath();
    }

    private static String processor(String parameter, String value) throws MessagingException {
        if (value.isBlank() || !value.strip().equals(value)) {
            throw new MessagingException("AddDisclaimer: parameter '" + parameter + "': '" + value + "' is not a processor name");
        }
        return value;
    }

    @Override
    protected void process(Mail mail) throws MessagingException {
        Optional<String> sender = mail.getMaybeSender().asOptional().map(MailAddress::asString);
        Optional<DisclaimerRules.Rule> found = rules.lookup(sender);
        if (found.isEmpty()) {
            record(mail, "no-rule", null, "");
            return;
        }
        DisclaimerRules.Rule rule = found.get();
        if (rule.template().isEmpty()) {
            record(mail, "rule-none", rule, "");
            return;
        }
        List<MailAddress> internal = new ArrayList<>();
        List<MailAddress> external = new ArrayList<>();
        for (MailAddress r : mail.getRecipients()) {
            (isInternal(r.getDomain()) ? internal : external).add(r);
        }
        if (rule.scope() != DisclaimerRules.Scope.ALL && external.isEmpty()) {
            record(mail, "internal-only", rule, "");
            return;
        }
        if (rule.scope() == DisclaimerRules.Scope.EXTERNAL_ONLY && !internal.isEmpty()) {
            // the DisclaimerScope matcher splits such mail before this mailet; without it everyone gets the disclaimer
            LOG.warn("disclaimer: rule {} has scope=external-only but mail {} reached AddDisclaimer with internal recipients {}:"
                    + " use match=\"org.jsmarthost.mailets.disclaimer.DisclaimerScope\"; adding it for all", rule, mail.getName(), internal);
        }
        InsertResult result = insert(mail, sender.orElse(""), rule);
        switch (result.outcome()) {
            case REJECTED:
                route(mail, rejectProcessor, result);
                break;
            case ERROR:
                route(mail, unparseableProcessor, result);
                break;
            default:
                break;
        }
        record(mail, result.code(), rule, result.toString());
    }

    /**
     * Inserts by the rule's spec; if that runs out of memory (a text body changed in place is held in memory a few
     * times over), once more with the disclaimer as a part of its own, which copies the body by byte ranges.
     * Out of memory again: a {@link MessagingException} naming the mail, the mail unchanged.
     */
    private InsertResult insert(Mail mail, String sender, DisclaimerRules.Rule rule) throws MessagingException {
        DisclaimerSpec spec = rule.spec();
        try {
            return insert(mail, sender, rule, spec);
        } catch (OutOfMemoryError e) {
            if (spec.maxEditSize() == 0) {
                throw OutOfMemory.failure(getMailetName(), mail, e);
            }
            LOG.warn("disclaimer: out of memory while changing the text of mail {} in place ({}); adding the disclaimer"
                + " as a part of its own instead", mail.getName(), e.getMessage());
        }
        try {
            return insert(mail, sender, rule, spec.withMaxEditSize(0));
        } catch (OutOfMemoryError e) {
            throw OutOfMemory.failure(getMailetName(), mail, e);
        }
    }

    private InsertResult insert(Mail mail, String sender, DisclaimerRules.Rule rule, DisclaimerSpec spec)
        throws MessagingException {
        long size = bodySize(mail);
        if (size >= 0 && size <= IN_HEAP_LIMIT) {
            return insertInHeap(mail, sender, rule, spec, (int) size);
        }
        Path in = null;
        Path out = null;
        try {
            in = RawMessages.spool(mail, "disclaimer-in-");
            out = Files.createTempFile("disclaimer-out-", ".eml");
            InsertResult r;
            try (OutputStream o = Files.newOutputStream(out)) {
                r = inserter.insert(in, o, spec, render(mail, sender, rule));
            }
            if (r.isModified()) {
                RawMessages.replace(mail, out);
                out = null;
            }
            return r;
        } catch (IOException e) {
            throw new MessagingException("AddDisclaimer: temporary file: " + e, e);
        } finally {
            deleteQuietly(in);
            deleteQuietly(out);
        }
    }

    /** The rule's template rendered for this mail (sender, From display name, now). */
    private Disclaimer render(Mail mail, String sender, DisclaimerRules.Rule rule) {
        return templates.get(rule.template().get()).current()
            .render(DisclaimerVars.of(sender, displayName(mail, sender), ZonedDateTime.now(clock)));
    }

    /** The body size javax.mail knows without serialising the message (-1: unknown, then temporary files). */
    private static long bodySize(Mail mail) {
        try {
            return mail.getMessage().getSize();
        } catch (MessagingException | RuntimeException e) {
            return -1;
        }
    }

    /** Small messages: the same steps with byte arrays instead of two temporary files. */
    private InsertResult insertInHeap(Mail mail, String sender, DisclaimerRules.Rule rule, DisclaimerSpec spec, int size)
        throws MessagingException {
        try {
            HeapBuffer in = RawMessages.bytes(mail, size);
            // the result: the message, the disclaimer (a few KiB) and perhaps a new part's headers; no copy at the end
            HeapBuffer out = new HeapBuffer(in.length() + 8192, 0);
            InsertResult r = inserter.insert(in.array(), in.start(), in.length(), out, spec, render(mail, sender, rule));
            if (r.isModified()) {
                out.becomeMessageOf(mail);
            }
            return r;
        } catch (IOException e) {
            throw new MessagingException("AddDisclaimer: " + e, e);
        }
    }

    private void route(Mail mail, String processor, InsertResult result) {
        mail.setErrorMessage("AddDisclaimer: " + result.code() + (result.detail().isEmpty() ? "" : ": " + result.detail()));
        mail.setState(processor);
    }

    private boolean isInternal(Domain domain) throws MessagingException {
        if (rules.isListedInternal(domain.asString())) {
            return true;
        }
        try {
            return domainList.containsDomain(domain);
        } catch (DomainListException e) {
            throw new MessagingException("AddDisclaimer: domain list lookup failed for " + domain.asString(), e);
        }
    }

    private static String displayName(Mail mail, String sender) {
        try {
            Address[] from = mail.getMessage().getFrom();
            if (from != null) {
                for (Address a : from) {
                    if (a instanceof InternetAddress && sender.equalsIgnoreCase(((InternetAddress) a).getAddress())) {
                        return ((InternetAddress) a).getPersonal();
                    }
                }
            }
        } catch (MessagingException | RuntimeException e) {
            // malformed From: no display name, the address is used instead
        }
        return null;
    }

    private void record(Mail mail, String code, DisclaimerRules.Rule rule, String detail) {
        mail.setAttribute(new Attribute(REASON, AttributeValue.of(code)));
        if (rule != null) {
            mail.setAttribute(new Attribute(RULE, AttributeValue.of(rule.toString())));
            rule.template().ifPresent(t -> mail.setAttribute(new Attribute(TEMPLATE, AttributeValue.of(t))));
        }
        metrics.generate(metricName(code)).increment();
        LOG.info("disclaimer {} mail={} rule={} {}", code, mail.getName(), rule == null ? "-" : rule, detail);
    }

    static String metricName(String code) {
        return "smarthost_disclaimer_" + code.replace('-', '_').toLowerCase(Locale.ROOT);
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
        return "AddDisclaimer (james-smarthost)";
    }
}
