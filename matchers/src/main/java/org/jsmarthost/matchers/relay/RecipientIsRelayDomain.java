package org.jsmarthost.matchers.relay;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.inject.Inject;
import javax.mail.MessagingException;
import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.jsmarthost.core.relay.NextHop;
import org.jsmarthost.core.relay.PolicyException;
import org.jsmarthost.core.relay.RelayDomain;
import org.jsmarthost.core.status.PackStatus;

/**
 * Matches the recipients in a <em>relay domain</em> of the policy ({@code relay_domain DOMAIN = NEXT-HOP} in
 * {@code conf/smarthost-policy.conf}), optionally only those whose next hop is a given one. This is how inbound
 * relay mail finds its next hop: James's RemoteDelivery has one fixed gateway per mailet instance, so the
 * {@code relay-inbound} processor has one RemoteDelivery per next hop, each behind this matcher with that next
 * hop as condition. The domain-to-next-hop table stays in the policy file (re-read without restart); only a
 * <em>new</em> next hop needs a new RemoteDelivery in {@code mailetcontainer.xml} (and a restart).
 *
 * <p>A domain that is also a James local domain is not matched (local wins, as in the policy). Matched
 * recipients get the attribute {@code org.jsmarthost.relay.next-hop} (the next hop of the first matched
 * recipient, e.g. {@code mx} or {@code mail.partner.example:25}); metric {@code smarthost_relay_inbound}.</p>
 *
 * <p>Condition (optional): {@code mx}, {@code host[:port]} or {@code [ip]:port} (same syntax and normalisation as
 * the policy, port 25 by default): match only relay domains with this next hop. Empty: every relay domain.</p>
 *
 * <pre>{@code
 * <processor state="relay-inbound" enableJmx="true">
 *     <mailet match="org.jsmarthost.matchers.relay.RecipientIsRelayDomain=mail.partner.example:25" class="RemoteDelivery">
 *         <outgoing>relay-inbound-partner</outgoing>
 *         <gateway>mail.partner.example</gateway>
 *         <gatewayPort>25</gatewayPort>
 *     </mailet>
 *     <mailet match="org.jsmarthost.matchers.relay.RecipientIsRelayDomain=mx" class="RemoteDelivery">
 *         <outgoing>relay-inbound-mx</outgoing>
 *     </mailet>
 * </processor>
 * }</pre>
 */
public final class RecipientIsRelayDomain extends GenericMatcher {
    static final AttributeName NEXT_HOP = AttributeName.of("org.jsmarthost.relay.next-hop");

    private final DomainList domainList;
    private final RecipientRewriteTable rrt;
    private final MetricFactory metrics;
    private RelayRuntime runtime;
    private Optional<NextHop> only;

    @Inject
    public RecipientIsRelayDomain(DomainList domainList, RecipientRewriteTable rrt, MetricFactory metrics) {
        this.domainList = domainList;
        this.rrt = rrt;
        this.metrics = metrics;
    }

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null ? "" : getCondition().trim();
        try {
            only = condition.isEmpty() ? Optional.empty() : Optional.of(NextHop.parse(condition));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("RecipientIsRelayDomain: condition '" + condition + "' is invalid: "
                    + e.getMessage());
        }
        try {
            runtime = RelayRuntime.obtainForPolicy(RelayRuntime.resolvePolicyFile(null), domainList, rrt);
        } catch (PolicyException | IllegalArgumentException e) {
            throw new MessagingException("RecipientIsRelayDomain: relay policy not loaded: " + e.getMessage(), e);
        }
        PackStatus.instance().componentLoaded("matcher", "RecipientIsRelayDomain", getClass());
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        List<MailAddress> matched = new ArrayList<>();
        NextHop first = null;
        for (MailAddress rcpt : mail.getRecipients()) {
            String domain = rcpt.getDomain().asString();
            Optional<RelayDomain> relay = runtime.policy.current().relayDomain(domain);
            if (relay.isEmpty() || (only.isPresent() && !only.get().equals(relay.get().nextHop()))
                    || new JamesLocalDomains(domainList).contains(domain.toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            matched.add(rcpt);
            RelayPolicyHook.DECISIONS.info("relay-inbound mail={} recipient=<{}> next-hop={}{}", mail.getName(),
                    rcpt.asString(), relay.get().nextHop(), only.map(h -> " (RemoteDelivery for " + h + ")").orElse(""));
            if (first == null) {
                first = relay.get().nextHop();
            }
        }
        if (first != null) {
            mail.setAttribute(new Attribute(NEXT_HOP, AttributeValue.of(first.toString())));
            metrics.generate("smarthost_relay_inbound").increment();
        }
        return matched;
    }

    @Override
    public String getMatcherInfo() {
        return "Recipients in a relay domain of the smarthost policy" + only.map(h -> " with next hop " + h).orElse("");
    }
}
