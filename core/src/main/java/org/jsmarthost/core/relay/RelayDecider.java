package org.jsmarthost.core.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;

/**
 * The relay decision: may this client send from this sender to this recipient, and by which rule.
 *
 * <p>Stateless and thread-safe; every call reads one {@link RelayPolicy} snapshot from the supplier (normally
 * {@link PolicyReloader#current()}), so a reload never mixes two policies in one decision. The adapters call it
 * from the SMTP hooks (MAIL, RCPT, after DATA) and from the matchers; a refusal is an SMTP reply, never a
 * bounce.</p>
 *
 * <h2>Identity</h2>
 * In this order: a successful SMTP AUTH ({@link Identity.Kind#AUTH}); else, except on the submission port, a
 * client address in {@code trusted_networks} ({@link Identity.Kind#TRUSTED_NETWORK}); else, except on the
 * submission port and when {@code pop_window = 0}, a POP3 login from the same address within the window
 * ({@link Identity.Kind#POP}). AUTH and POP identities have a login; the sender-ownership rule applies to them.
 * During the POP window the client address <em>is</em> that login for every transaction (MAIL ownership and
 * header ownership included, inbound too); trusted networks are not affected because they win over POP.
 *
 * <h2>MAIL FROM ({@link #checkSender})</h2>
 * <ol>
 * <li>submission port without TLS and {@code submission_requires_tls = yes}: {@code 530 5.7.0}
 *     ({@code submission.tls-required});</li>
 * <li>submission port without AUTH: {@code 530 5.7.0} ({@code submission.auth-required});</li>
 * <li>sender refused by {@link AddressGuard}: {@code 553 5.1.7} ({@code addr.*});</li>
 * <li>a login whose sender it does not own: {@code 553 5.7.1} ({@code sender.not-owned});</li>
 * <li>otherwise {@code sender.ok} (the null sender {@code <>} is accepted here and judged per recipient).</li>
 * </ol>
 *
 * <h2>RCPT TO ({@link #checkRecipient})</h2>
 * The MAIL rules again (so no hook ordering can skip them), then:
 * <ol>
 * <li>recipient refused by {@link AddressGuard}: {@code 553 5.1.3} ({@code addr.*});</li>
 * <li>recipient domain is a James local domain: {@link Decision.Outcome#LOCAL} ({@code inbound.local});</li>
 * <li>recipient domain is a relay domain: allowed ({@code inbound.relay-domain}, with the next hop), unless the
 *     domain has valid recipients and this is not one: {@code 550 5.1.1} ({@code inbound.unknown-recipient});
 *     </li>
 * <li>otherwise the recipient is foreign (outbound): no identity: {@code 550 5.7.1}
 *     ({@code outbound.relay-denied}); null sender from anything but a trusted network: {@code 550 5.7.1}
 *     ({@code outbound.null-sender}: bounces leave only from trusted mail servers, never from an
 *     unauthenticated client nor from a login, which cannot own {@code <>}); sender domain neither a James
 *     local domain nor in {@code sender_domains}: {@code 550 5.7.1} ({@code outbound.foreign-sender});
 *     otherwise allowed by {@code outbound.auth}, {@code outbound.trusted-network} or
 *     {@code outbound.pop-before-smtp}.</li>
 * </ol>
 *
 * <h2>Ownership</h2>
 * A login owns an address when the address equals the login (case-insensitively, when the login is an
 * address), when a {@code grant} of the login lists the address or its domain, or when the James RRT maps the
 * address to the login ({@link AliasResolver#mapsTo}).
 *
 * <h2>Headers after DATA ({@link #checkHeaders})</h2>
 * For a login only: exactly one {@code From:} header, parsed strictly with {@link InternetAddress}; every
 * address in it (all of them when there are several) must pass the {@link AddressGuard} and be owned by the
 * login; a {@code Sender:} header, when present, must be exactly one owned address. Refusals are
 * {@code 550 5.7.1} ({@code header.*}).
 *
 * <p>A lookup in {@link LocalDomains} or {@link AliasResolver} that throws gives {@code 451 4.3.0}
 * ({@code lookup.failed}).</p>
 */
public final class RelayDecider {
    private final Supplier<RelayPolicy> policy;
    private final LocalDomains localDomains;
    private final AliasResolver aliases;

    public RelayDecider(Supplier<RelayPolicy> policy, LocalDomains localDomains, AliasResolver aliases) {
        this.policy = Objects.requireNonNull(policy);
        this.localDomains = Objects.requireNonNull(localDomains);
        this.aliases = Objects.requireNonNull(aliases);
    }

    /** The identity the client proved, under the current policy. */
    public Optional<Identity> identity(ClientContext client) {
        return identity(client, policy.get());
    }

    private static Optional<Identity> identity(ClientContext client, RelayPolicy p) {
        if (client.authLogin().isPresent()) {
            return Optional.of(Identity.auth(client.authLogin().get()));
        }
        if (client.submission()) {
            return Optional.empty();
        }
        if (p.trustedNetworks().contains(client.clientAddress())) {
            return Optional.of(Identity.trustedNetwork(client.clientAddress()));
        }
        if (client.popLogin().isPresent() && !p.popWindow().isZero()) {
            return Optional.of(Identity.pop(client.popLogin().get()));
        }
        return Optional.empty();
    }

    /** The MAIL FROM decision ({@code rawSender} as sent, with or without angle brackets). */
    public Decision checkSender(ClientContext client, String rawSender) {
        RelayPolicy p = policy.get();
        try {
            return checkSender(client, AddressGuard.checkSender(rawSender), p);
        } catch (RuntimeException e) {
            return lookupFailed(e);
        }
    }

    private Decision checkSender(ClientContext client, AddressCheck sender, RelayPolicy p) {
        if (client.submission() && p.submissionRequiresTls() && !client.tls()) {
            return Decision.refuse(530, "5.7.0", "Must issue a STARTTLS command first on the submission port",
                    RuleIds.SUBMISSION_TLS_REQUIRED);
        }
        if (client.submission() && client.authLogin().isEmpty()) {
            return Decision.refuse(530, "5.7.0", "Authentication required on the submission port",
                    RuleIds.SUBMISSION_AUTH_REQUIRED);
        }
        if (sender.isRefused()) {
            return Decision.refuse(553, "5.1.7", "Sender address rejected: " + sender.reason(), sender.ruleId());
        }
        Optional<Identity> id = identity(client, p);
        if (sender.isAddress() && id.isPresent() && id.get().login().isPresent()
                && !owns(id.get().login().get(), sender.address(), p)) {
            return Decision.refuse(553, "5.7.1", "Sender address <" + sender.address() + "> is not owned by login "
                    + id.get().login().get(), RuleIds.SENDER_NOT_OWNED);
        }
        return Decision.allow("2.1.0", "Sender ok", RuleIds.SENDER_OK, id.orElse(null), null);
    }

    /** The RCPT TO decision; re-applies the MAIL FROM rules first. */
    public Decision checkRecipient(ClientContext client, String rawSender, String rawRecipient) {
        RelayPolicy p = policy.get();
        try {
            AddressCheck sender = AddressGuard.checkSender(rawSender);
            Decision s = checkSender(client, sender, p);
            if (!s.isAllowed()) {
                return s;
            }
            AddressCheck rcpt = AddressGuard.checkRecipient(rawRecipient);
            if (rcpt.isRefused()) {
                return Decision.refuse(553, "5.1.3", "Recipient address rejected: " + rcpt.reason(), rcpt.ruleId());
            }
            EnvelopeAddress to = rcpt.address();
            if (localDomains.contains(to.domain())) {
                return Decision.local(RuleIds.INBOUND_LOCAL);
            }
            Optional<RelayDomain> relay = p.relayDomain(to.domain());
            if (relay.isPresent()) {
                if (!relay.get().accepts(to)) {
                    return Decision.refuse(550, "5.1.1", "Recipient address rejected: <" + to
                            + "> is not a known recipient in relay domain " + to.domain(),
                            RuleIds.INBOUND_UNKNOWN_RECIPIENT);
                }
                return Decision.allow("2.1.5", "Recipient ok (relay domain " + to.domain() + ")",
                        RuleIds.INBOUND_RELAY_DOMAIN, null, relay.get().nextHop());
            }
            Optional<Identity> id = identity(client, p);
            if (id.isEmpty()) {
                return Decision.refuse(550, "5.7.1", "Relay access denied: " + to.domain() + " is not a domain we"
                        + " serve, and the client is neither authenticated, nor in a trusted network, nor"
                        + " logged in by POP3 recently", RuleIds.OUTBOUND_RELAY_DENIED);
            }
            if (sender.isNullSender()) {
                if (id.get().kind() != Identity.Kind.TRUSTED_NETWORK) {
                    return Decision.refuse(550, "5.7.1", "Relay access denied: a null sender (bounce) to a foreign"
                            + " recipient is only relayed for trusted networks", RuleIds.OUTBOUND_NULL_SENDER);
                }
            } else {
                String senderDomain = sender.address().domain();
                if (!p.senderDomains().contains(senderDomain) && !localDomains.contains(senderDomain)) {
                    return Decision.refuse(550, "5.7.1", "Relay access denied: sender domain " + senderDomain
                            + " is not one of ours", RuleIds.OUTBOUND_FOREIGN_SENDER);
                }
            }
            switch (id.get().kind()) {
                case AUTH:
                    return Decision.allow("2.1.5", "Recipient ok (authenticated as " + id.get().name() + ")",
                            RuleIds.OUTBOUND_AUTH, id.get(), null);
                case TRUSTED_NETWORK:
                    return Decision.allow("2.1.5", "Recipient ok (trusted network)", RuleIds.OUTBOUND_TRUSTED_NETWORK,
                            id.get(), null);
                default:
                    return Decision.allow("2.1.5", "Recipient ok (POP3 login " + id.get().name() + ")",
                            RuleIds.OUTBOUND_POP, id.get(), null);
            }
        } catch (RuntimeException e) {
            return lookupFailed(e);
        }
    }

    /**
     * The post-DATA header ownership decision.
     *
     * @param fromHeaders the raw values of every {@code From:} header field (may be folded), null = none
     * @param senderHeaders the raw values of every {@code Sender:} header field, null = none
     */
    public Decision checkHeaders(ClientContext client, List<String> fromHeaders, List<String> senderHeaders) {
        return checkHeaders(client, name -> "Sender".equals(name) ? senderHeaders : fromHeaders);
    }

    /**
     * Where {@link #checkHeaders(ClientContext, HeaderValues)} reads header fields: only when the decision needs
     * them (a login), so a message relayed for a trusted network or a POP login without header check is not parsed
     * for it.
     *
     * @param <E> what reading may throw (e.g. javax.mail's {@code MessagingException}); passed on to the caller
     */
    @FunctionalInterface
    public interface HeaderValues<E extends Exception> {
        /** The raw values of every field named {@code name} ("From" or "Sender"), folded as sent; null or empty = none. */
        List<String> get(String name) throws E;
    }

    /**
     * The post-DATA header ownership decision, reading the {@code From:} and {@code Sender:} fields from
     * {@code headers} only when it checks them (one policy snapshot for both: who needs a check and the check).
     *
     * @throws E what {@code headers} threw (not a lookup failure: the caller answers it)
     */
    public <E extends Exception> Decision checkHeaders(ClientContext client, HeaderValues<E> headers) throws E {
        RelayPolicy p = policy.get();
        try {
            Optional<Identity> id = identity(client, p);
            if (id.isEmpty() || id.get().login().isEmpty()) {
                return Decision.allow("2.6.0", "Header ownership not checked (no login)", RuleIds.HEADER_NOT_CHECKED,
                        id.orElse(null), null);
            }
            String login = id.get().login().get();
            List<String> fromHeaders = headers.get("From");
            List<String> senderHeaders = headers.get("Sender");
            List<String> froms = fromHeaders == null ? List.of() : fromHeaders;
            if (froms.isEmpty()) {
                return Decision.refuse(550, "5.7.1", "Message has no From: header", RuleIds.HEADER_FROM_MISSING);
            }
            if (froms.size() > 1) {
                return Decision.refuse(550, "5.7.1", "Message has " + froms.size() + " From: headers, expected one",
                        RuleIds.HEADER_FROM_INVALID);
            }
            List<EnvelopeAddress> fromAddresses = new ArrayList<>();
            String problem = parseHeader(froms.get(0), fromAddresses);
            if (problem != null) {
                return Decision.refuse(550, "5.7.1", "From: header rejected: " + problem, RuleIds.HEADER_FROM_INVALID);
            }
            if (fromAddresses.isEmpty()) {
                return Decision.refuse(550, "5.7.1", "From: header has no address", RuleIds.HEADER_FROM_MISSING);
            }
            for (EnvelopeAddress a : fromAddresses) {
                if (!owns(login, a, p)) {
                    return Decision.refuse(550, "5.7.1", "From: address <" + a + "> is not owned by login " + login,
                            RuleIds.HEADER_FROM_NOT_OWNED);
                }
            }
            List<String> senders = senderHeaders == null ? List.of() : senderHeaders;
            if (!senders.isEmpty()) {
                List<EnvelopeAddress> senderAddresses = new ArrayList<>();
                String sp = senders.size() > 1 ? senders.size() + " Sender: headers, expected one"
                        : parseHeader(senders.get(0), senderAddresses);
                if (sp == null && senderAddresses.size() != 1) {
                    sp = "Sender: must hold exactly one address, found " + senderAddresses.size();
                }
                if (sp != null) {
                    return Decision.refuse(550, "5.7.1", "Sender: header rejected: " + sp,
                            RuleIds.HEADER_SENDER_INVALID);
                }
                if (!owns(login, senderAddresses.get(0), p)) {
                    return Decision.refuse(550, "5.7.1", "Sender: address <" + senderAddresses.get(0)
                            + "> is not owned by login " + login, RuleIds.HEADER_SENDER_NOT_OWNED);
                }
            }
            return Decision.allow("2.6.0", "Header addresses owned by " + login, RuleIds.HEADER_OWNED, id.get(), null);
        } catch (RuntimeException e) {
            return lookupFailed(e);
        }
    }

    /** Parses one header value into guarded addresses; returns a problem text or null. */
    private static String parseHeader(String value, List<EnvelopeAddress> out) {
        String unfolded = value.replaceAll("\r?\n(?=[ \t])", "");
        for (int i = 0; i < unfolded.length(); i++) {
            char c = unfolded.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return "control character in header";
            }
        }
        InternetAddress[] parsed;
        try {
            parsed = InternetAddress.parseHeader(unfolded, true);
        } catch (AddressException e) {
            return "unparseable address list (" + e.getMessage() + ")";
        }
        for (InternetAddress ia : parsed) {
            if (ia.isGroup()) {
                return "group syntax is not accepted";
            }
            AddressCheck c = AddressGuard.checkRecipient(ia.getAddress());
            if (!c.isAddress()) {
                return "address '" + ia.getAddress() + "' refused (" + c.ruleId() + ": " + c.reason() + ")";
            }
            out.add(c.address());
        }
        return null;
    }

    /** True when {@code login} may use {@code address} as sender under the current policy. */
    public boolean owns(String login, EnvelopeAddress address) {
        return owns(Identity.normaliseLogin(login), address, policy.get());
    }

    private boolean owns(String login, EnvelopeAddress address, RelayPolicy p) {
        if (address.canonical().equals(login)) {
            return true;
        }
        Optional<Grant> grant = p.grant(login);
        if (grant.isPresent() && grant.get().covers(address)) {
            return true;
        }
        return aliases.mapsTo(address, login);
    }

    private static Decision lookupFailed(RuntimeException e) {
        return Decision.tempfail(451, "4.3.0", "Temporary lookup failure (" + e.getClass().getSimpleName() + ")",
                RuleIds.LOOKUP_FAILED);
    }
}
