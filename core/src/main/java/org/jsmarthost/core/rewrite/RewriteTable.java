package org.jsmarthost.core.rewrite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Address rewrite rules for envelope senders, envelope recipients and address headers
 * ({@code conf/rewrite.table}). Immutable snapshot; see {@link RewriteTableReloader} for reloading.
 *
 * <h2>NAME</h2>
 * rewrite.table - sender, recipient and header address rewriting (what Postfix does with
 * canonical_maps, sender_canonical_maps and smtp_generic_maps, with the direction made explicit).
 *
 * <h2>FORMAT</h2>
 * One rule per line; empty lines and lines starting with {@code #} are ignored. Fields are separated by
 * white space:
 * <pre>
 * PATTERN  REPLACEMENT  apply=TARGET[,TARGET...]  dir=out|in|both  [id=NAME]
 * </pre>
 * <dl>
 * <dt>{@code user@old.example  user@new.example}</dt>
 * <dd>exact address: that one address (compared ignoring case) becomes the replacement.</dd>
 * <dt>{@code @old.example  @new.example}</dt>
 * <dd>whole domain: every address in exactly that domain (not its subdomains) gets the new domain; the
 *     local part is kept as written.</dd>
 * <dt>{@code /regex/  replacement}</dt>
 * <dd>Java regular expression, searched in the whole address, always ignoring case; the result is the
 *     replacement with {@code $1}..{@code $9} (or {@code ${n}}) replaced by the captured groups and
 *     {@code $$} by a dollar sign. Anchor with {@code ^...$} to match whole addresses. A {@code /} inside
 *     the expression is written {@code \/}; the expression may contain spaces. No flags after the closing
 *     slash. A result that is not {@code local@domain} is discarded (the address stays unchanged).</dd>
 * </dl>
 * Options (both {@code apply} and {@code dir} are required, so a rule never applies by accident):
 * <dl>
 * <dt>{@code apply=}</dt>
 * <dd>comma-separated, any case: {@code envelope-sender} (MAIL FROM), {@code envelope-recipient} (RCPT
 *     TO), {@code envelope} (both), and the address headers {@code From, Sender, Reply-To, To, Cc, Bcc,
 *     Return-Path, Resent-From, Resent-Sender, Resent-To, Resent-Cc, Resent-Bcc, Mail-Followup-To,
 *     Mail-Reply-To, Disposition-Notification-To, Errors-To}; shorthands {@code sender-headers} (From,
 *     Sender, Reply-To, Return-Path) and {@code recipient-headers} (To, Cc, Bcc).</dd>
 * <dt>{@code dir=}</dt>
 * <dd>{@code out} (mail leaving the organisation), {@code in} (mail arriving for it) or {@code both}.</dd>
 * <dt>{@code id=}</dt>
 * <dd>name used in logs and metrics ({@code [A-Za-z0-9._-]+}, unique); default {@code line-N}.</dd>
 * </dl>
 *
 * <h2>SEARCH ORDER</h2>
 * For an address, a target and a direction, only rules whose {@code apply} and {@code dir} include them
 * are considered, in this order, and the first match wins:
 * <ol>
 * <li>exact address rules ({@code user@domain}),</li>
 * <li>domain rules ({@code @domain}),</li>
 * <li>regular expressions, in file order.</li>
 * </ol>
 * The result is not looked up again (no chains, no loops). The null sender is never rewritten. Two exact
 * or two domain rules with the same pattern that share a target and a direction are refused as
 * ambiguous.
 *
 * <h2>EXAMPLES</h2>
 * <pre>
 * # company renamed: outbound mail shows the new domain everywhere a sender appears
 * &#64;old.example       &#64;new.example        apply=envelope-sender,sender-headers dir=out id=rename
 * # replies and bounces to the old domain still reach people
 * &#64;old.example       &#64;new.example        apply=envelope-recipient,To,Cc dir=in id=rename-in
 * # one mailbox moved
 * j.doe@new.example  jane.doe@new.example apply=envelope,From,To,Cc,Reply-To dir=both
 * # internal host names hidden on the way out
 * /^(.+)@[a-z0-9-]+\.corp\.new\.example$/  $1@new.example  apply=envelope-sender,From dir=out id=hide-hosts
 * </pre>
 *
 * <h2>RELATION TO JAMES RECIPIENT REWRITE TABLE</h2>
 * James's RecipientRewriteTable (james-cli AddAddressMapping, AddRegexMapping, AddDomainMapping) keeps
 * rewriting envelope recipients for local delivery and forwarding; this table adds senders, headers and
 * directions. Use {@code envelope-recipient} here only for what RRT cannot express (direction-specific
 * rewriting).
 *
 * <h2>ERRORS</h2>
 * A file with any bad line is refused as a whole; every problem is reported as
 * {@code line N: what is wrong, expected what}. A running server keeps its last good table.
 */
public final class RewriteTable {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?i)(?:[a-z0-9\\u0080-\\uffff](?:[a-z0-9\\u0080-\\uffff-]{0,61}[a-z0-9\\u0080-\\uffff])?\\.)*"
                    + "[a-z0-9\\u0080-\\uffff](?:[a-z0-9\\u0080-\\uffff-]{0,61}[a-z0-9\\u0080-\\uffff])?");
    private static final Pattern LOCAL_PART = Pattern.compile("[^\\s@<>(),;:\\\\\\[\\]\"]+");

    private static final RewriteTable EMPTY = new RewriteTable("(empty)", List.of());

    private final String source;
    private final List<RewriteRule> rules;
    private final Map<String, List<RewriteRule>> exact = new HashMap<>();
    private final Map<String, List<RewriteRule>> domains = new HashMap<>();
    private final List<RewriteRule> regexes = new ArrayList<>();

    private RewriteTable(String source, List<RewriteRule> rules) {
        this.source = source;
        this.rules = List.copyOf(rules);
        for (RewriteRule r : rules) {
            switch (r.kind()) {
                case ADDRESS:
                    exact.computeIfAbsent(r.pattern().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(r);
                    break;
                case DOMAIN:
                    domains.computeIfAbsent(r.pattern().substring(1).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                            .add(r);
                    break;
                default:
                    regexes.add(r);
            }
        }
    }

    /** A table without rules. */
    public static RewriteTable empty() {
        return EMPTY;
    }

    /**
     * Reads and checks a table file (UTF-8).
     *
     * @throws RewriteTableException listing every bad line
     */
    public static RewriteTable load(Path file) throws IOException, RewriteTableException {
        return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8), file.toString());
    }

    /**
     * Parses table text.
     *
     * @param source name used in messages (usually the file name)
     * @throws RewriteTableException listing every bad line
     */
    public static RewriteTable parse(String text, String source) throws RewriteTableException {
        List<String> problems = new ArrayList<>();
        List<RewriteRule> rules = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                RewriteRule rule = parseLine(line, lineNo);
                if (!ids.add(rule.id())) {
                    throw new IllegalArgumentException("id '" + rule.id() + "' is used twice, expected unique ids");
                }
                checkDuplicate(rule, rules);
                rules.add(rule);
            } catch (IllegalArgumentException e) {
                problems.add("line " + lineNo + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new RewriteTableException(source, problems);
        }
        return new RewriteTable(source, rules);
    }

    private static void checkDuplicate(RewriteRule rule, List<RewriteRule> earlier) {
        if (rule.kind() == RewriteRule.Kind.REGEX) {
            return;
        }
        for (RewriteRule e : earlier) {
            if (e.kind() == rule.kind() && e.pattern().equalsIgnoreCase(rule.pattern())
                    && !Collections.disjoint(e.targets(), rule.targets())
                    && !Collections.disjoint(e.directions(), rule.directions())) {
                Set<RewriteTarget> common = new LinkedHashSet<>(rule.targets());
                common.retainAll(e.targets());
                throw new IllegalArgumentException("'" + rule.pattern() + "' is already rewritten by line " + e.line()
                        + " for " + common + " in an overlapping direction, expected one rule per pattern, target"
                        + " and direction");
            }
        }
    }

    private static RewriteRule parseLine(String line, int lineNo) {
        String pattern;
        String rest;
        boolean isRegex = line.startsWith("/");
        if (isRegex) {
            int close = -1;
            for (int i = 1; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (c == '/') {
                    close = i;
                    break;
                }
            }
            if (close < 0) {
                throw new IllegalArgumentException("regular expression without closing '/', expected /regex/");
            }
            pattern = line.substring(1, close);
            rest = line.substring(close + 1);
            if (!rest.isEmpty() && !Character.isWhitespace(rest.charAt(0))) {
                String flags = rest.split("\\s+", 2)[0];
                throw new IllegalArgumentException("'" + flags + "' after /" + pattern
                        + "/ is not supported, expected white space (matching always ignores case)");
            }
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException("empty regular expression, expected /regex/");
            }
        } else {
            String[] first = line.split("\\s+", 2);
            pattern = first[0];
            rest = first.length > 1 ? first[1] : "";
        }
        String[] fields = rest.strip().isEmpty() ? new String[0] : rest.strip().split("\\s+");
        if (fields.length == 0 || fields[0].contains("=") && (fields[0].startsWith("apply=")
                || fields[0].startsWith("dir=") || fields[0].startsWith("id="))) {
            throw new IllegalArgumentException("no replacement after '" + (isRegex ? "/" + pattern + "/" : pattern)
                    + "', expected PATTERN REPLACEMENT apply=... dir=...");
        }
        String replacement = fields[0];
        RewriteRule.Kind kind;
        Pattern regex = null;
        List<Object> template = null;
        if (isRegex) {
            try {
                regex = Pattern.compile(pattern, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("/" + pattern + "/ is not a valid regular expression ("
                        + e.getDescription() + " near index " + e.getIndex() + ")");
            }
            template = RewriteRule.parseTemplate(replacement, regex.matcher("").groupCount());
            kind = RewriteRule.Kind.REGEX;
        } else if (pattern.startsWith("@")) {
            String domain = pattern.substring(1);
            if (!DOMAIN.matcher(domain).matches()) {
                throw new IllegalArgumentException("'" + pattern + "' is not a valid domain pattern, expected @domain");
            }
            if (!replacement.startsWith("@") || !DOMAIN.matcher(replacement.substring(1)).matches()) {
                throw new IllegalArgumentException("'" + pattern + "' maps a whole domain, so the replacement must be "
                        + "a domain too (e.g. @new.example), not '" + replacement + "'");
            }
            kind = RewriteRule.Kind.DOMAIN;
        } else {
            if (!isAddress(pattern)) {
                throw new IllegalArgumentException("'" + pattern + "' is not a valid pattern, expected user@domain,"
                        + " @domain or /regex/");
            }
            if (!isAddress(replacement)) {
                throw new IllegalArgumentException("'" + pattern + "' maps one address, so the replacement must be an "
                        + "address (user@domain), not '" + replacement + "'");
            }
            kind = RewriteRule.Kind.ADDRESS;
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int k = 1; k < fields.length; k++) {
            String f = fields[k];
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + f + "' is not an option, expected apply=..., dir=... or id=...");
            }
            String key = f.substring(0, eq).toLowerCase(Locale.ROOT);
            if (!key.equals("apply") && !key.equals("dir") && !key.equals("id")) {
                throw new IllegalArgumentException("unknown option '" + f.substring(0, eq)
                        + "', expected apply, dir or id");
            }
            if (options.put(key, f.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("option '" + key + "' given twice, expected it once");
            }
        }
        if (!options.containsKey("apply")) {
            throw new IllegalArgumentException("missing apply=, expected e.g. apply=envelope-sender,From");
        }
        if (!options.containsKey("dir")) {
            throw new IllegalArgumentException("missing dir=, expected dir=out, dir=in or dir=both");
        }
        Set<RewriteTarget> targets = parseTargets(options.get("apply"));
        Set<RewriteDirection> directions = parseDirection(options.get("dir"));
        String id = options.getOrDefault("id", "line-" + lineNo);
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id '" + id + "' is not allowed, expected letters, digits, '.', '_', '-'");
        }

        return new RewriteRule(id, lineNo, kind, pattern, replacement, targets, directions, regex, template);
    }

    private static boolean isAddress(String s) {
        int at = s.lastIndexOf('@');
        return at > 0 && LOCAL_PART.matcher(s.substring(0, at)).matches()
                && DOMAIN.matcher(s.substring(at + 1)).matches();
    }

    private static Set<RewriteTarget> parseTargets(String value) {
        Set<RewriteTarget> targets = new LinkedHashSet<>();
        for (String t : value.split(",", -1)) {
            String name = t.strip().toLowerCase(Locale.ROOT);
            switch (name) {
                case "envelope-sender":
                    targets.add(RewriteTarget.ENVELOPE_SENDER);
                    break;
                case "envelope-recipient":
                    targets.add(RewriteTarget.ENVELOPE_RECIPIENT);
                    break;
                case "envelope":
                    targets.add(RewriteTarget.ENVELOPE_SENDER);
                    targets.add(RewriteTarget.ENVELOPE_RECIPIENT);
                    break;
                case "sender-headers":
                    for (String h : new String[] {"From", "Sender", "Reply-To", "Return-Path"}) {
                        targets.add(RewriteTarget.header(h));
                    }
                    break;
                case "recipient-headers":
                    for (String h : new String[] {"To", "Cc", "Bcc"}) {
                        targets.add(RewriteTarget.header(h));
                    }
                    break;
                default:
                    Optional<RewriteTarget> header = RewriteTarget.headerIfKnown(name);
                    if (header.isEmpty()) {
                        throw new IllegalArgumentException("apply target '" + t + "' is unknown, expected envelope-sender,"
                                + " envelope-recipient, envelope, sender-headers, recipient-headers or one of "
                                + String.join(", ", RewriteTarget.HEADER_NAMES.values()));
                    }
                    targets.add(header.get());
            }
        }
        return targets;
    }

    private static Set<RewriteDirection> parseDirection(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "out":
                return EnumSet.of(RewriteDirection.OUTBOUND);
            case "in":
                return EnumSet.of(RewriteDirection.INBOUND);
            case "both":
                return EnumSet.allOf(RewriteDirection.class);
            default:
                throw new IllegalArgumentException("dir '" + value + "' is unknown, expected out, in or both");
        }
    }

    // ---------------------------------------------------------------- lookups

    /**
     * Rewrites one address for a target and direction (search order in the class documentation).
     *
     * @return the new address and the rule, or empty when no rule applies (or the address is the null sender)
     */
    public Optional<RewriteResult> rewrite(String address, RewriteTarget target, RewriteDirection direction) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(direction, "direction");
        if (address == null || address.isEmpty() || address.equals("<>") || rules.isEmpty()) {
            return Optional.empty();
        }
        String lower = address.toLowerCase(Locale.ROOT);
        Optional<RewriteResult> r = first(exact.get(lower), address, target, direction);
        if (r.isPresent()) {
            return r;
        }
        int at = lower.lastIndexOf('@');
        if (at > 0) {
            r = first(domains.get(lower.substring(at + 1)), address, target, direction);
            if (r.isPresent()) {
                return r;
            }
        }
        for (RewriteRule rule : regexes) {
            if (rule.appliesTo(target, direction)) {
                Optional<String> out = rule.apply(address);
                if (out.isPresent()) {
                    return Optional.of(new RewriteResult(address, out.get(), rule));
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<RewriteResult> first(List<RewriteRule> candidates, String address, RewriteTarget target,
            RewriteDirection direction) {
        if (candidates != null) {
            for (RewriteRule rule : candidates) {
                if (rule.appliesTo(target, direction)) {
                    Optional<String> out = rule.apply(address);
                    if (out.isPresent()) {
                        return Optional.of(new RewriteResult(address, out.get(), rule));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** A mapper for {@link HeaderAddressRewriter#rewrite(String, Function)} using this table. */
    public Function<String, Optional<String>> mapper(RewriteTarget target, RewriteDirection direction) {
        return a -> rewrite(a, target, direction).map(RewriteResult::address);
    }

    /**
     * Rewrites the raw value of a header. Headers that are not address headers rules can name are returned
     * unchanged.
     */
    public HeaderRewriteResult rewriteHeader(String headerName, String rawValue, RewriteDirection direction) {
        Optional<RewriteTarget> target = RewriteTarget.headerIfKnown(headerName);
        if (target.isEmpty() || rules.isEmpty()) {
            return HeaderAddressRewriter.rewrite(rawValue, a -> Optional.empty());
        }
        return HeaderAddressRewriter.rewrite(rawValue, mapper(target.get(), direction));
    }

    /** The rules in file order. */
    public List<RewriteRule> rules() {
        return rules;
    }

    /** true when some rule applies to this header name (any direction): lets the adapter skip other headers. */
    public boolean rewritesHeader(String headerName) {
        Optional<RewriteTarget> target = RewriteTarget.headerIfKnown(headerName);
        return target.isPresent() && rules.stream().anyMatch(r -> r.targets().contains(target.get()));
    }

    /** Where the table came from (file name). */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "RewriteTable{" + source + ", " + rules.size() + " rule(s)}";
    }
}
