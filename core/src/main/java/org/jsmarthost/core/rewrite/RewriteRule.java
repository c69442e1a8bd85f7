package org.jsmarthost.core.rewrite;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of a {@link RewriteTable}: what it matches, what it produces, where and in which direction it
 * applies. Immutable.
 */
public final class RewriteRule {
    /** The three rule kinds of the table file. */
    public enum Kind {
        /** {@code user@old.example  user@new.example}: one address to another */
        ADDRESS,
        /** {@code @old.example  @new.example}: every address of a domain, keeping the local part */
        DOMAIN,
        /** {@code /regex/  template}: regular expression with $1..$9 captures */
        REGEX
    }

    private static final Pattern PLAUSIBLE_ADDRESS =
            Pattern.compile("[^\\s@<>(),;:\\\\]+@(?:[^\\s@<>(),;:\\[\\]\\\\\"]+|\\[[^\\s\\[\\]\\\\]+\\])");
    private static final Pattern QUOTED_LOCAL_ADDRESS =
            Pattern.compile("\"(?:[^\"\\\\\\r\\n]|\\\\.)+\"@[^\\s@<>(),;:\\[\\]\\\\\"]+");

    private final String id;
    private final int line;
    private final Kind kind;
    private final String pattern;
    private final String replacement;
    private final Set<RewriteTarget> targets;
    private final Set<RewriteDirection> directions;
    private final Pattern regex;
    /** REGEX: alternating literal strings and Integer group numbers. */
    private final List<Object> template;

    RewriteRule(String id, int line, Kind kind, String pattern, String replacement, Set<RewriteTarget> targets,
            Set<RewriteDirection> directions, Pattern regex, List<Object> template) {
        this.id = Objects.requireNonNull(id);
        this.line = line;
        this.kind = Objects.requireNonNull(kind);
        this.pattern = Objects.requireNonNull(pattern);
        this.replacement = Objects.requireNonNull(replacement);
        this.targets = Collections.unmodifiableSet(targets);
        this.directions = Collections.unmodifiableSet(directions);
        this.regex = regex;
        this.template = template == null ? List.of() : List.copyOf(template);
    }

    /** The rule id ({@code id=} option, default {@code line-N}). */
    public String id() {
        return id;
    }

    /** Line number in the table file (1-based). */
    public int line() {
        return line;
    }

    public Kind kind() {
        return kind;
    }

    /** The pattern as written: an address, {@code @domain} or the regular expression (without slashes). */
    public String pattern() {
        return pattern;
    }

    /** The replacement as written. */
    public String replacement() {
        return replacement;
    }

    public Set<RewriteTarget> targets() {
        return targets;
    }

    public Set<RewriteDirection> directions() {
        return directions;
    }

    public boolean appliesTo(RewriteTarget target, RewriteDirection direction) {
        return targets.contains(target) && directions.contains(direction);
    }

    /**
     * The rewritten address if this rule matches it (ignoring targets and directions), else empty. A
     * regular expression whose result is not a plausible address yields empty (fail closed).
     */
    public Optional<String> apply(String address) {
        int at = address.lastIndexOf('@');
        switch (kind) {
            case ADDRESS:
                return address.equalsIgnoreCase(pattern) ? Optional.of(replacement) : Optional.empty();
            case DOMAIN:
                if (at <= 0 || !address.substring(at).equalsIgnoreCase(pattern)) {
                    return Optional.empty();
                }
                return Optional.of(address.substring(0, at) + replacement);
            case REGEX:
            default:
                Matcher m = regex.matcher(address);
                if (!m.find()) {
                    return Optional.empty();
                }
                StringBuilder out = new StringBuilder();
                for (Object part : template) {
                    if (part instanceof Integer) {
                        String group = m.group((Integer) part);
                        out.append(group == null ? "" : group);
                    } else {
                        out.append((String) part);
                    }
                }
                String result = out.toString();
                return isPlausibleAddress(result) ? Optional.of(result) : Optional.empty();
        }
    }

    /** local@domain without white space or address-list specials (quoted local parts allowed). */
    static boolean isPlausibleAddress(String s) {
        return PLAUSIBLE_ADDRESS.matcher(s).matches() || QUOTED_LOCAL_ADDRESS.matcher(s).matches();
    }

    /**
     * Parses a replacement template: {@code $1}..{@code $9} or {@code ${12}} insert a group, {@code $$} is a
     * dollar sign. Returns the parts or throws with the problem.
     */
    static List<Object> parseTemplate(String template, int groupCount) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '$') {
                literal.append(c);
                continue;
            }
            if (i + 1 >= template.length()) {
                throw new IllegalArgumentException("'$' at the end of replacement '" + template
                        + "', expected $1..$9, ${n} or $$");
            }
            char d = template.charAt(i + 1);
            int group;
            if (d == '$') {
                literal.append('$');
                i++;
                continue;
            } else if (d >= '0' && d <= '9') {
                group = d - '0';
                i++;
            } else if (d == '{') {
                int close = template.indexOf('}', i + 2);
                String digits = close < 0 ? "" : template.substring(i + 2, close);
                if (!digits.matches("[0-9]{1,3}")) {
                    throw new IllegalArgumentException("bad group reference in replacement '" + template
                            + "', expected ${n} with a number n");
                }
                group = Integer.parseInt(digits);
                i = close;
            } else {
                throw new IllegalArgumentException("'$" + d + "' in replacement '" + template
                        + "', expected $1..$9, ${n} or $$");
            }
            if (group > groupCount) {
                throw new IllegalArgumentException("replacement '" + template + "' uses group " + group
                        + " but the expression has only " + groupCount + " group(s)");
            }
            if (literal.length() > 0) {
                parts.add(literal.toString());
                literal.setLength(0);
            }
            parts.add(group);
        }
        if (literal.length() > 0) {
            parts.add(literal.toString());
        }
        return parts;
    }

    @Override
    public String toString() {
        String shown = kind == Kind.REGEX ? "/" + pattern + "/" : pattern;
        return "rule " + id + " (line " + line + "): " + shown + " -> " + replacement + " apply=" + targets
                + " dir=" + directions.toString().toLowerCase(Locale.ROOT);
    }
}
