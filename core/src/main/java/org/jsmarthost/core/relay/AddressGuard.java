package org.jsmarthost.core.relay;

import java.util.Locale;

/**
 * Normalises an envelope address exactly as the SMTP client sent it ({@code <user@example.org>} or
 * {@code user@example.org}) and refuses anything ambiguous, before any relay decision is taken.
 *
 * <p>Accepted: {@code local@domain} where the local part is an RFC 5321 dot-atom (or a quoted string without
 * dangerous characters; redundant quotes are removed) and the domain is a multi-label host name of letters,
 * digits and hyphens. The domain is lower-cased; the local part keeps its case but ownership compares it
 * case-insensitively ({@link EnvelopeAddress#canonical()}).</p>
 *
 * <p>Refused, each with its rule id (full table in {@link RuleIds}): percent hack ({@code user%other@ours},
 * {@code addr.percent-hack}), UUCP bang paths ({@code other!user@ours}, {@code addr.bang-path}), source routes
 * ({@code @ours:user@other}, {@code addr.source-route}), quoted local parts containing {@code @ % !} and
 * friends ({@code addr.quoted-local}), double {@code @} ({@code addr.multiple-at}), IP literals of any kind
 * and dotted-numeric domains ({@code addr.ip-literal}), trailing dots ({@code addr.domain-trailing-dot}: the
 * guard fails closed and does <em>not</em> strip the dot, since a correct client never sends one), empty or
 * malformed domains ({@code addr.domain-invalid}), single-label domains ({@code addr.domain-unqualified}),
 * unqualified addresses without {@code @} ({@code addr.unqualified}: James would append its default domain and
 * turn the address into a local sender), control characters ({@code addr.control-char}), non-ASCII
 * ({@code addr.8bit}) and overlong parts ({@code addr.too-long}: local part 64, domain 255, path 256 octets,
 * label 63).</p>
 *
 * <p>The null reverse-path {@code <>} (bounces) is accepted only by {@link #checkSender}; whether it may go
 * where it is going is the {@link RelayDecider}'s job.</p>
 */
public final class AddressGuard {
    static final int MAX_LOCAL = 64;
    static final int MAX_DOMAIN = 255;
    static final int MAX_PATH = 256;
    static final int MAX_LABEL = 63;
    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";
    private static final String QUOTED_FORBIDDEN = "@%!:,;<>()[]\\\"";

    private AddressGuard() {
    }

    /** Checks a MAIL FROM path: {@code <>} (or empty text) is the null sender. */
    public static AddressCheck checkSender(String raw) {
        return check(raw, true);
    }

    /** Checks a RCPT TO path (or any address that must be a mailbox): {@code <>} is refused. */
    public static AddressCheck checkRecipient(String raw) {
        return check(raw, false);
    }

    private static AddressCheck check(String raw, boolean nullAllowed) {
        if (raw == null) {
            return AddressCheck.refused(RuleIds.ADDR_EMPTY, "no address given");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return AddressCheck.refused(RuleIds.ADDR_CONTROL_CHAR,
                        String.format(Locale.ROOT, "control character 0x%02x at position %d", (int) c, i));
            }
            if (c > 0x7e) {
                return AddressCheck.refused(RuleIds.ADDR_8BIT,
                        String.format(Locale.ROOT, "non-ASCII character U+%04X at position %d", (int) c, i));
            }
        }
        String inner = raw;
        if (raw.startsWith("<")) {
            if (!raw.endsWith(">") || raw.length() < 2) {
                return AddressCheck.refused(RuleIds.ADDR_SYNTAX, "'<' without matching '>' at the end");
            }
            inner = raw.substring(1, raw.length() - 1);
        }
        if (inner.length() + 2 > MAX_PATH) {
            return AddressCheck.refused(RuleIds.ADDR_TOO_LONG,
                    "path is " + (inner.length() + 2) + " octets, the limit is " + MAX_PATH);
        }
        if (inner.isEmpty()) {
            return nullAllowed ? AddressCheck.nullSender()
                    : AddressCheck.refused(RuleIds.ADDR_EMPTY, "empty address where a mailbox is required");
        }
        if (inner.startsWith("@")) {
            return AddressCheck.refused(RuleIds.ADDR_SOURCE_ROUTE, "source route (address starts with '@')");
        }
        String local;
        String domain;
        if (inner.startsWith("\"")) {
            int close = inner.indexOf('"', 1);
            if (close < 0) {
                return AddressCheck.refused(RuleIds.ADDR_SYNTAX, "unterminated quoted local part");
            }
            String content = inner.substring(1, close);
            for (int i = 0; i < content.length(); i++) {
                if (QUOTED_FORBIDDEN.indexOf(content.charAt(i)) >= 0) {
                    if (content.charAt(i) == '\\') {
                        return AddressCheck.refused(RuleIds.ADDR_QUOTED_LOCAL,
                                "backslash escape in quoted local part");
                    }
                    return AddressCheck.refused(RuleIds.ADDR_QUOTED_LOCAL,
                            "quoted local part contains '" + content.charAt(i) + "'");
                }
            }
            if (content.isEmpty()) {
                return AddressCheck.refused(RuleIds.ADDR_QUOTED_LOCAL, "empty quoted local part");
            }
            String rest = inner.substring(close + 1);
            if (rest.isEmpty()) {
                return AddressCheck.refused(RuleIds.ADDR_UNQUALIFIED, "no '@domain' after the quoted local part");
            }
            if (rest.charAt(0) != '@') {
                return AddressCheck.refused(RuleIds.ADDR_SYNTAX, "text after the quoted local part: '" + rest + "'");
            }
            domain = rest.substring(1);
            if (domain.indexOf('@') >= 0) {
                return AddressCheck.refused(RuleIds.ADDR_MULTIPLE_AT, "more than one '@'");
            }
            if (domain.indexOf(':') >= 0 && !domain.startsWith("[")) {
                return AddressCheck.refused(RuleIds.ADDR_SOURCE_ROUTE, "':' in the address (source route)");
            }
            local = isDotAtom(content) ? content : "\"" + content + "\"";
        } else {
            if (inner.indexOf('"') >= 0) {
                return AddressCheck.refused(RuleIds.ADDR_SYNTAX, "quote character inside an unquoted local part");
            }
            int at = inner.indexOf('@');
            if (at >= 0 && inner.startsWith("[", at + 1)) {
                return AddressCheck.refused(RuleIds.ADDR_IP_LITERAL, "IP address literal '" + inner.substring(at + 1)
                        + "' is not accepted");
            }
            if (inner.indexOf(':') >= 0) {
                return AddressCheck.refused(RuleIds.ADDR_SOURCE_ROUTE, "':' in the address (source route)");
            }
            if (at >= 0 && inner.indexOf('@', at + 1) >= 0) {
                return AddressCheck.refused(RuleIds.ADDR_MULTIPLE_AT, "more than one '@'");
            }
            local = at < 0 ? inner : inner.substring(0, at);
            if (local.indexOf('%') >= 0) {
                return AddressCheck.refused(RuleIds.ADDR_PERCENT_HACK, "'%' in the local part (percent hack)");
            }
            if (local.indexOf('!') >= 0) {
                return AddressCheck.refused(RuleIds.ADDR_BANG_PATH, "'!' in the local part (UUCP bang path)");
            }
            if (at < 0) {
                return AddressCheck.refused(RuleIds.ADDR_UNQUALIFIED, "no '@domain' (unqualified address)");
            }
            if (!isDotAtom(local)) {
                return AddressCheck.refused(RuleIds.ADDR_LOCAL_INVALID,
                        "local part '" + local + "' is not a valid dot-atom");
            }
            domain = inner.substring(at + 1);
        }
        int localOctets = local.length();
        if (localOctets > MAX_LOCAL) {
            return AddressCheck.refused(RuleIds.ADDR_TOO_LONG,
                    "local part is " + localOctets + " octets, the limit is " + MAX_LOCAL);
        }
        String domainProblem = domainProblem(domain);
        if (domainProblem != null) {
            return AddressCheck.refused(domainProblem.substring(0, domainProblem.indexOf(' ')),
                    domainProblem.substring(domainProblem.indexOf(' ') + 1));
        }
        return AddressCheck.ok(new EnvelopeAddress(local, domain.toLowerCase(Locale.ROOT)));
    }

    /**
     * Validates a domain name as used in addresses and in the policy file.
     *
     * @return null when valid, otherwise "{@code ruleId reason}"
     */
    static String domainProblem(String domain) {
        if (domain.isEmpty()) {
            return RuleIds.ADDR_DOMAIN_INVALID + " empty domain";
        }
        if (domain.startsWith("[") || domain.endsWith("]")) {
            return RuleIds.ADDR_IP_LITERAL + " IP address literal '" + domain + "' is not accepted";
        }
        if (domain.length() > MAX_DOMAIN) {
            return RuleIds.ADDR_TOO_LONG + " domain is " + domain.length() + " octets, the limit is " + MAX_DOMAIN;
        }
        if (domain.endsWith(".")) {
            return RuleIds.ADDR_DOMAIN_TRAILING_DOT + " domain '" + domain + "' ends with a dot";
        }
        String[] labels = domain.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty()) {
                return RuleIds.ADDR_DOMAIN_INVALID + " empty label in domain '" + domain + "'";
            }
            if (label.length() > MAX_LABEL) {
                return RuleIds.ADDR_TOO_LONG + " label of " + label.length() + " octets in domain, the limit is "
                        + MAX_LABEL;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(isLetterOrDigit(c) || c == '-')) {
                    return RuleIds.ADDR_DOMAIN_INVALID + " character '" + c + "' in domain '" + domain
                            + "', expected letters, digits, hyphens and dots";
                }
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                return RuleIds.ADDR_DOMAIN_INVALID + " label '" + label + "' starts or ends with a hyphen";
            }
        }
        String last = labels[labels.length - 1];
        if (last.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return RuleIds.ADDR_IP_LITERAL + " numeric domain '" + domain + "' looks like an IP address";
        }
        if (labels.length < 2) {
            return RuleIds.ADDR_DOMAIN_UNQUALIFIED + " single-label domain '" + domain + "'";
        }
        return null;
    }

    private static boolean isLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean isDotAtom(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isLetterOrDigit(c) || c == '.' || ATEXT_SPECIALS.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }
}
