/**
 * The smarthost relay policy, free of James: one model enforced by the SMTP hooks (MAIL, RCPT, after DATA) and
 * by the matchers.
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link org.jsmarthost.core.relay.AddressGuard}: normalises envelope addresses and refuses tricks (rule ids
 *     in {@link org.jsmarthost.core.relay.RuleIds}).</li>
 * <li>{@link org.jsmarthost.core.relay.RelayPolicy}: the policy file {@code conf/smarthost-policy.conf} (format
 *     documented there) as an immutable snapshot; {@link org.jsmarthost.core.relay.PolicyReloader} keeps it
 *     current and keeps the last good one when an edit is bad.</li>
 * <li>{@link org.jsmarthost.core.relay.RelayDecider}: the decision, over two lookups the adapter implements on
 *     James: {@link org.jsmarthost.core.relay.LocalDomains} (DomainList) and
 *     {@link org.jsmarthost.core.relay.AliasResolver} (RecipientRewriteTable).</li>
 * <li>{@link org.jsmarthost.core.relay.PopAuthStore} (SMTP-after-POP) and
 *     {@link org.jsmarthost.core.relay.SendQuotas} over a {@link org.jsmarthost.core.relay.QuotaCounter}; in-memory
 *     implementations here, Redis ones elsewhere.</li>
 * <li>{@link org.jsmarthost.core.relay.DecisionLog}: the one-line structured log of a decision.</li>
 * </ul>
 *
 * <h2>Adapter sketch</h2>
 * <pre>
 * PolicyReloader policy = PolicyReloader.load(confDir.resolve("smarthost-policy.conf"), Clock.systemUTC(),
 *         Duration.ofSeconds(5));
 * RelayDecider decider = new RelayDecider(policy, domain -&gt; domainList.containsDomain(Domain.of(domain)), rrt);
 * PopAuthStore pop = new InMemoryPopAuthStore(() -&gt; policy.current().popWindow());
 * SendQuotas quotas = new SendQuotas(new InMemoryQuotaCounter(Clock.systemUTC()), policy);
 *
 * // RCPT hook: build the context from the session as it is now
 * ClientContext ctx = ClientContext.builder(remoteIp).tls(session.isTLSStarted()).submission(isSubmissionPort)
 *         .authLogin(session.getUsername()).popLogin(pop.lookup(remoteIp, clock.instant()).orElse(null)).build();
 * Decision d = decider.checkRecipient(ctx, rawMailFromArgument, rawRcptToArgument);
 * log.info(DecisionLog.format(d, ctx, rawMailFromArgument, rawRcptToArgument));
 * switch (d.outcome()) {
 *     case LOCAL: return HookResult.DECLINED;            // James's normal behaviour
 *     case ALLOW: if (d.identity().isPresent()) {         // outbound: count the recipient
 *                     Decision q = quotas.consumeRecipients(d.identity().get(), senderDomainOrNull, 1, now);
 *                     if (q.isRefused()) return reply(q);
 *                 }
 *                 return HookResult.OK;
 *     default:    return reply(d);                        // d.code(), d.enhancedStatus(), d.text()
 * }
 * </pre>
 * The raw MAIL FROM / RCPT TO text must be given to the decider before James rewrites it (James appends its
 * default domain to unqualified addresses and drops source routes), otherwise those tricks are invisible.
 */
package org.jsmarthost.core.relay;
