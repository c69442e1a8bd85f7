package org.jsmarthost.core.relay;

/**
 * Every rule id the relay policy can produce. A rule id names the single rule that decided; it appears in the
 * SMTP reply text ({@code [rule outbound.relay-denied]}), in the one-line decision log ({@link DecisionLog}) and
 * in the trace the adapters add to relayed mail.
 *
 * <h2>Address rules (from {@link AddressGuard}; sender: {@code 553 5.1.7}, recipient: {@code 553 5.1.3},
 * header address: {@code 550 5.7.1})</h2>
 * <table>
 * <caption>address rule ids</caption>
 * <tr><td>{@code addr.empty}</td><td>empty address where a mailbox is required (e.g. {@code RCPT TO:<>})</td></tr>
 * <tr><td>{@code addr.syntax}</td><td>unbalanced or extra angle brackets, white space outside quotes, stray
 *     quote characters, other unparseable text</td></tr>
 * <tr><td>{@code addr.control-char}</td><td>a control character (NUL, TAB, CR, LF, DEL, ...)</td></tr>
 * <tr><td>{@code addr.8bit}</td><td>a non-ASCII character (SMTPUTF8 addresses are not accepted)</td></tr>
 * <tr><td>{@code addr.too-long}</td><td>RFC 5321 4.5.3.1 limits: local part &gt; 64, domain &gt; 255,
 *     path &gt; 256 octets, DNS label &gt; 63</td></tr>
 * <tr><td>{@code addr.source-route}</td><td>a source route ({@code @ours:user@other},
 *     {@code @a,@b:user@c}) or a colon outside quotes</td></tr>
 * <tr><td>{@code addr.multiple-at}</td><td>more than one unquoted {@code @} ({@code user@other@ours})</td></tr>
 * <tr><td>{@code addr.percent-hack}</td><td>{@code %} in the local part ({@code user%other@ours})</td></tr>
 * <tr><td>{@code addr.bang-path}</td><td>UUCP bang path: {@code !} in the local part ({@code other!user@ours})</td></tr>
 * <tr><td>{@code addr.quoted-local}</td><td>a quoted local part that is empty, uses backslash escapes, or contains
 *     {@code @ % ! : , ; < > ( ) [ ]}</td></tr>
 * <tr><td>{@code addr.unqualified}</td><td>no {@code @domain} (James would append its default domain)</td></tr>
 * <tr><td>{@code addr.local-invalid}</td><td>local part is not a valid dot-atom (leading/trailing/double dot,
 *     forbidden character)</td></tr>
 * <tr><td>{@code addr.ip-literal}</td><td>IP literal domain of any kind ({@code [1.2.3.4]},
 *     {@code [IPv6:::1]}) or a bare dotted-numeric domain ({@code user@1.2.3.4})</td></tr>
 * <tr><td>{@code addr.domain-trailing-dot}</td><td>domain ends with a dot ({@code user@ours.}); refused, never
 *     silently normalised</td></tr>
 * <tr><td>{@code addr.domain-unqualified}</td><td>single-label domain ({@code user@localhost})</td></tr>
 * <tr><td>{@code addr.domain-invalid}</td><td>empty domain, empty label, characters other than letters, digits and
 *     hyphen, label starting or ending with a hyphen</td></tr>
 * </table>
 *
 * <h2>Decision rules (from {@link RelayDecider})</h2>
 * <table>
 * <caption>decision rule ids</caption>
 * <tr><td>{@code submission.tls-required}</td><td>530 5.7.0: submission port without STARTTLS and
 *     {@code submission_requires_tls = yes}</td></tr>
 * <tr><td>{@code submission.auth-required}</td><td>530 5.7.0: MAIL on the submission port without SMTP AUTH</td></tr>
 * <tr><td>{@code sender.ok}</td><td>250 2.1.0: MAIL FROM accepted</td></tr>
 * <tr><td>{@code sender.not-owned}</td><td>553 5.7.1: a logged-in client (AUTH or SMTP-after-POP) used an envelope
 *     sender its login does not own</td></tr>
 * <tr><td>{@code inbound.local}</td><td>250 2.1.5 outcome LOCAL: recipient domain is a James local domain; the
 *     adapter declines and James's normal behaviour applies</td></tr>
 * <tr><td>{@code inbound.relay-domain}</td><td>250 2.1.5: recipient domain is a relay domain</td></tr>
 * <tr><td>{@code inbound.unknown-recipient}</td><td>550 5.1.1: recipient not in the relay domain's valid
 *     recipients</td></tr>
 * <tr><td>{@code outbound.relay-denied}</td><td>550 5.7.1: foreign recipient and no proven identity</td></tr>
 * <tr><td>{@code outbound.null-sender}</td><td>550 5.7.1: null sender to a foreign recipient from anyone but a
 *     trusted network</td></tr>
 * <tr><td>{@code outbound.foreign-sender}</td><td>550 5.7.1: proven identity, but the sender domain is not one of
 *     ours</td></tr>
 * <tr><td>{@code outbound.auth}, {@code outbound.trusted-network}, {@code outbound.pop-before-smtp}</td>
 *     <td>250 2.1.5: outbound relay allowed, by the identity that proved it</td></tr>
 * <tr><td>{@code header.not-checked}</td><td>header ownership not applicable (no login)</td></tr>
 * <tr><td>{@code header.owned}</td><td>every From:/Sender: address is owned by the login</td></tr>
 * <tr><td>{@code header.from-missing}, {@code header.from-invalid}, {@code header.from-not-owned},
 *     {@code header.sender-invalid}, {@code header.sender-not-owned}</td><td>550 5.7.1 after DATA</td></tr>
 * <tr><td>{@code lookup.failed}</td><td>451 4.3.0: a James lookup (domain list, RRT) threw; fail closed,
 *     temporarily</td></tr>
 * </table>
 *
 * <h2>Quota rules (from {@link SendQuotas})</h2>
 * {@code quota.ok}; {@code quota.<identity|domain>.<messages|recipients>-per-<hour|day>}: recipients exceeded
 * answer {@code 452 4.7.1}, messages exceeded answer {@code 451 4.7.1}, with the reset time in the text.
 */
public final class RuleIds {
    public static final String ADDR_EMPTY = "addr.empty";
    public static final String ADDR_SYNTAX = "addr.syntax";
    public static final String ADDR_CONTROL_CHAR = "addr.control-char";
    public static final String ADDR_8BIT = "addr.8bit";
    public static final String ADDR_TOO_LONG = "addr.too-long";
    public static final String ADDR_SOURCE_ROUTE = "addr.source-route";
    public static final String ADDR_MULTIPLE_AT = "addr.multiple-at";
    public static final String ADDR_PERCENT_HACK = "addr.percent-hack";
    public static final String ADDR_BANG_PATH = "addr.bang-path";
    public static final String ADDR_QUOTED_LOCAL = "addr.quoted-local";
    public static final String ADDR_UNQUALIFIED = "addr.unqualified";
    public static final String ADDR_LOCAL_INVALID = "addr.local-invalid";
    public static final String ADDR_IP_LITERAL = "addr.ip-literal";
    public static final String ADDR_DOMAIN_TRAILING_DOT = "addr.domain-trailing-dot";
    public static final String ADDR_DOMAIN_UNQUALIFIED = "addr.domain-unqualified";
    public static final String ADDR_DOMAIN_INVALID = "addr.domain-invalid";

    public static final String SUBMISSION_TLS_REQUIRED = "submission.tls-required";
    public static final String SUBMISSION_AUTH_REQUIRED = "submission.auth-required";
    public static final String SENDER_OK = "sender.ok";
    public static final String SENDER_NOT_OWNED = "sender.not-owned";
    public static final String INBOUND_LOCAL = "inbound.local";
    public static final String INBOUND_RELAY_DOMAIN = "inbound.relay-domain";
    public static final String INBOUND_UNKNOWN_RECIPIENT = "inbound.unknown-recipient";
    public static final String OUTBOUND_RELAY_DENIED = "outbound.relay-denied";
    public static final String OUTBOUND_NULL_SENDER = "outbound.null-sender";
    public static final String OUTBOUND_FOREIGN_SENDER = "outbound.foreign-sender";
    public static final String OUTBOUND_AUTH = "outbound.auth";
    public static final String OUTBOUND_TRUSTED_NETWORK = "outbound.trusted-network";
    public static final String OUTBOUND_POP = "outbound.pop-before-smtp";
    public static final String HEADER_NOT_CHECKED = "header.not-checked";
    public static final String HEADER_OWNED = "header.owned";
    public static final String HEADER_FROM_MISSING = "header.from-missing";
    public static final String HEADER_FROM_INVALID = "header.from-invalid";
    public static final String HEADER_FROM_NOT_OWNED = "header.from-not-owned";
    public static final String HEADER_SENDER_INVALID = "header.sender-invalid";
    public static final String HEADER_SENDER_NOT_OWNED = "header.sender-not-owned";
    public static final String LOOKUP_FAILED = "lookup.failed";
    public static final String QUOTA_OK = "quota.ok";

    private RuleIds() {
    }
}
