package org.jsmarthost.mailets.disclaimer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.jsmarthost.core.status.PackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The matcher of {@link AddDisclaimer}: implements {@code scope=external-only} of the rules file by letting
 * James split the mail. For a sender whose rule has {@code scope=external-only} and a mail with both external
 * and internal recipients it matches only the external ones: James then runs {@code AddDisclaimer} on a copy for
 * them, while the internal recipients' copy skips it and continues, unchanged, with the next mailet of the
 * same processor (DKIM signing, archive, delivery) — it does not re-enter earlier stages. For every other mail
 * it matches all recipients ({@code AddDisclaimer} then decides and records why).
 *
 * <h2>Condition</h2>
 * The rules file, as the mailet's {@code rules} parameter (relative to the James home); empty = the default
 * {@code conf/disclaimer/rules.conf}. Internal = James's domain list or an {@code internal} line of the file.
 * <pre>{@code
 * <mailet match="org.jsmarthost.mailets.disclaimer.DisclaimerScope=conf/disclaimer/rules.conf"
 *         class="org.jsmarthost.mailets.disclaimer.AddDisclaimer">
 *     <rules>conf/disclaimer/rules.conf</rules>
 * </mailet>
 * }</pre>
 *
 * <h2>Diagnostics</h2>
 * On a split: attribute {@code org.jsmarthost.disclaimer.split} = the internal recipients (on both copies),
 * metric {@code smarthost_disclaimer_internal_copy}, one INFO log line.
 */
public final class DisclaimerScope extends GenericMatcher {
    private static final Logger LOG = LoggerFactory.getLogger(DisclaimerScope.class);
    public static final AttributeName SPLIT = AttributeName.of("org.jsmarthost.disclaimer.split");

    private final DomainList domainList;
    private final MetricFactory metrics;
    private DisclaimerRules rules;

    @Inject
    public DisclaimerScope(DomainList domainList, MetricFactory metrics) {
        this.domainList = domainList;
        this.metrics = metrics;
    }

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null || getCondition().isBlank() ? AddDisclaimer.DEFAULT_RULES : getCondition().strip();
        Path file = AddDisclaimer.home().resolve(condition).normalize();
        try {
            rules = DisclaimerRules.load(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new MessagingException("DisclaimerScope: condition '" + condition + "' (" + file + "): " + e.getMessage(), e);
        }
        PackStatus.instance().componentLoaded("matcher", "DisclaimerScope", getClass());
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        Optional<DisclaimerRules.Rule> rule = rules.lookup(mail.getMaybeSender().asOptional().map(MailAddress::asString));
        if (rule.isEmpty() || rule.get().template().isEmpty() || rule.get().scope() != DisclaimerRules.Scope.EXTERNAL_ONLY) {
            return mail.getRecipients();
        }
        List<MailAddress> internal = new ArrayList<>();
        List<MailAddress> external = new ArrayList<>();
        for (MailAddress r : mail.getRecipients()) {
            (isInternal(r) ? internal : external).add(r);
        }
        if (internal.isEmpty() || external.isEmpty()) {
            return mail.getRecipients();
        }
        mail.setAttribute(new Attribute(SPLIT, AttributeValue.of(internal.toString())));
        metrics.generate(AddDisclaimer.metricName(AddDisclaimer.INTERNAL_COPY)).increment();
        LOG.info("disclaimer {} mail={} rule={} internal={} external={}", AddDisclaimer.INTERNAL_COPY, mail.getName(), rule.get(), internal, external);
        return external;
    }

    private boolean isInternal(MailAddress r) throws MessagingException {
        if (rules.isListedInternal(r.getDomain().asString())) {
            return true;
        }
        try {
            return domainList.containsDomain(r.getDomain());
        } catch (DomainListException e) {
            throw new MessagingException("DisclaimerScope: domain list lookup failed for " + r.getDomain().asString(), e);
        }
    }

    @Override
    public String getMatcherInfo() {
        return "DisclaimerScope (james-smarthost)";
    }
}
