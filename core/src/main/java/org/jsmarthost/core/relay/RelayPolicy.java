package org.jsmarthost.core.relay;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of the smarthost relay policy, read from {@code conf/smarthost-policy.conf}.
 *
 * <h2>SMARTHOST-POLICY.CONF(5)</h2>
 *
 * <h3>Format</h3>
 * <p>A UTF-8 text file of lines {@code key = value} or {@code key argument = value}. Blank lines and lines whose
 * first non-blank character is {@code #} are ignored ({@code #} elsewhere is not a comment). A line that starts
 * with white space continues the previous entry (the texts are joined with a space), so long lists can be
 * wrapped. Lists are separated by commas and/or white space. Keys are lower-case and case-sensitive; domains,
 * logins and addresses are case-insensitive and stored lower-case.</p>
 *
 * <p>The file is refused as a whole, with the line, key, value and what was expected, when it contains an
 * unknown key, a key without its required argument (or with one it does not take), the same key (and argument)
 * twice, the same item twice in one list, or any invalid value. At start-up a refused file stops the server;
 * on reload ({@link PolicyReloader}) it is logged and the last good policy stays in force. Nothing in the file
 * can make the smarthost an open relay: every value only narrows or names what is allowed.</p>
 *
 * <h3>Keys</h3>
 * <dl>
 * <dt>{@code trusted_networks = CIDR, ...}</dt>
 * <dd>Clients in these networks may relay outbound without SMTP AUTH (their sender domain must still be ours).
 *     IPv4 {@code a.b.c.d/n} and IPv6 {@code ipv6/n}; syntax in {@link TrustedNetworks}. Default: none (not
 *     even loopback).</dd>
 * <dt>{@code sender_domains = domain, ...}</dt>
 * <dd>Sender domains that are ours in addition to James's DomainList (managed with {@code james-cli}).
 *     Default: none.</dd>
 * <dt>{@code relay_domain DOMAIN = mx | host[:port] | [ip][:port]}</dt>
 * <dd>Mail to DOMAIN is accepted from anyone and forwarded to the next hop ({@code mx}: the domain's MX records;
 *     otherwise this fixed host, port 25 by default). Exact domain only: subdomains must be listed on their
 *     own. If DOMAIN is also a James local domain, the local domain wins (James's normal delivery).</dd>
 * <dt>{@code relay_recipients DOMAIN = address, ...}</dt>
 * <dd>Optional: the valid recipients of relay domain DOMAIN (each must be in DOMAIN). Any other recipient is
 *     refused at RCPT with {@code 550 5.1.1}. Requires {@code relay_domain DOMAIN}.</dd>
 * <dt>{@code relay_recipients_file DOMAIN = path}</dt>
 * <dd>As {@code relay_recipients}, one address per line ({@code #} comments and blank lines allowed); a relative
 *     path is relative to the directory of the policy file. May be combined with {@code relay_recipients}
 *     (the union is valid). The reloader also watches this file.</dd>
 * <dt>{@code grant LOGIN = address | @domain, ...}</dt>
 * <dd>LOGIN (an SMTP AUTH / POP3 user name) may also send as these addresses and as any address of the
 *     {@code @domain}s, beyond its own address and the aliases James's RecipientRewriteTable maps to it.</dd>
 * <dt>{@code pop_window = DURATION}</dt>
 * <dd>How long a successful POP3 login opens SMTP relaying for the client address (SMTP-after-POP). DURATION is
 *     {@code Ns}, {@code Nm} or {@code Nh}, at most {@code 24h}; {@code 0} disables SMTP-after-POP.
 *     Default {@code 30m}.</dd>
 * <dt>{@code submission_requires_tls = yes | no}</dt>
 * <dd>On the submission port, refuse MAIL with {@code 530 5.7.0} until STARTTLS was done. Default {@code yes}.</dd>
 * <dt>{@code quota_identity_default = LIMIT, ...}</dt>
 * <dd>Limits for every identity (AUTH login, SMTP-after-POP login, or trusted-network client address
 *     {@code ip:ADDRESS}). LIMIT is {@code NAME=N} or {@code NAME=unlimited} with NAME one of
 *     {@code messages_per_hour}, {@code messages_per_day}, {@code recipients_per_hour},
 *     {@code recipients_per_day}. Unnamed limits are unlimited. Default: unlimited.</dd>
 * <dt>{@code quota_domain_default = LIMIT, ...}</dt>
 * <dd>The same, for every sender domain (all identities together).</dd>
 * <dt>{@code quota_identity IDENTITY = LIMIT, ...}</dt>
 * <dd>Override for one identity ({@code alice@example.org} or {@code ip:192.0.2.10}): the named limits replace
 *     the default ones, the others are inherited from {@code quota_identity_default}.</dd>
 * <dt>{@code quota_domain DOMAIN = LIMIT, ...}</dt>
 * <dd>Override for one sender domain, inheriting from {@code quota_domain_default}.</dd>
 * </dl>
 *
 * <h3>Example</h3>
 * <pre>
 * trusted_networks = 127.0.0.0/8, ::1/128,
 *                    192.0.2.0/24, 2001:db8:1::/48
 * sender_domains = example.net
 * relay_domain example.com = mx
 * relay_domain backup.example = mail.backup.example:2525
 * relay_recipients backup.example = info@backup.example, sales@backup.example
 * grant alice@example.org = postmaster@example.org, @example.net
 * pop_window = 30m
 * quota_identity_default = messages_per_day=1000, recipients_per_hour=500
 * quota_identity bulk@example.org = messages_per_day=50000
 * </pre>
 */
public final class RelayPolicy {
    /** Default SMTP-after-POP window. */
    public static final Duration DEFAULT_POP_WINDOW = Duration.ofMinutes(30);

    private final TrustedNetworks trustedNetworks;
    private final Set<String> senderDomains;
    private final Map<String, RelayDomain> relayDomains;
    private final Map<String, Grant> grants;
    private final Duration popWindow;
    private final boolean submissionRequiresTls;
    private final QuotaPolicy quotas;
    private final List<Path> sources;

    RelayPolicy(TrustedNetworks trustedNetworks, Set<String> senderDomains, Map<String, RelayDomain> relayDomains,
            Map<String, Grant> grants, Duration popWindow, boolean submissionRequiresTls, QuotaPolicy quotas,
            List<Path> sources) {
        this.trustedNetworks = trustedNetworks;
        this.senderDomains = Collections.unmodifiableSet(new LinkedHashSet<>(senderDomains));
        this.relayDomains = Collections.unmodifiableMap(new LinkedHashMap<>(relayDomains));
        this.grants = Collections.unmodifiableMap(new LinkedHashMap<>(grants));
        this.popWindow = popWindow;
        this.submissionRequiresTls = submissionRequiresTls;
        this.quotas = quotas;
        this.sources = List.copyOf(sources);
    }

    /** The policy with every key at its default: nothing trusted, no relay domains, no grants, no quotas. */
    public static RelayPolicy defaults() {
        return new RelayPolicy(TrustedNetworks.none(), Set.of(), Map.of(), Map.of(), DEFAULT_POP_WINDOW, true,
                QuotaPolicy.NONE, List.of());
    }

    /** Reads and parses a policy file (and the recipient files it references). */
    public static RelayPolicy parse(Path file) throws PolicyException {
        return RelayPolicyParser.parseFile(file);
    }

    /**
     * Parses policy text.
     *
     * @param sourceName name used in error messages (usually the file name)
     * @param baseDir directory against which relative {@code relay_recipients_file} paths are resolved
     */
    public static RelayPolicy parse(String text, String sourceName, Path baseDir) throws PolicyException {
        return RelayPolicyParser.parseText(text, sourceName, baseDir, null);
    }

    public TrustedNetworks trustedNetworks() {
        return trustedNetworks;
    }

    /** Extra sender domains (lower-case). */
    public Set<String> senderDomains() {
        return senderDomains;
    }

    /** Relay domains by lower-case domain. */
    public Map<String, RelayDomain> relayDomains() {
        return relayDomains;
    }

    /** The relay domain configuration for {@code domain}, if it is a relay domain. */
    public Optional<RelayDomain> relayDomain(String domain) {
        return Optional.ofNullable(relayDomains.get(domain.toLowerCase(Locale.ROOT)));
    }

    /** Grants by lower-case login. */
    public Map<String, Grant> grants() {
        return grants;
    }

    /** The grant of {@code login}, if any. */
    public Optional<Grant> grant(String login) {
        return Optional.ofNullable(grants.get(Identity.normaliseLogin(login)));
    }

    /** SMTP-after-POP window; zero when disabled. */
    public Duration popWindow() {
        return popWindow;
    }

    public boolean submissionRequiresTls() {
        return submissionRequiresTls;
    }

    public QuotaPolicy quotas() {
        return quotas;
    }

    /** The files this snapshot was read from (the policy file first), for change detection. */
    public List<Path> sources() {
        return sources;
    }
}
