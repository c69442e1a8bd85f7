package org.jsmarthost.mailets.disclaimer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.jsmarthost.core.mime.DisclaimerSpec;

/**
 * The disclaimer rules file ({@code conf/disclaimer/rules.conf}): which template applies to which mail.
 *
 * <h2>Format</h2>
 * UTF-8, one entry per line; {@code #} starts a comment, blank lines are ignored.
 * <pre>
 * internal  DOMAIN [DOMAIN ...]       domains whose recipients count as internal (besides James's domain list);
 *                                     ".example.com" = every subdomain of example.com. Repeatable.
 * SELECTOR  key=value [key=value ...] a rule
 * </pre>
 * SELECTOR is {@code user@domain} (that envelope sender), {@code domain} (senders of that domain),
 * {@code .domain} (senders of any subdomain of it), {@code *} (every non-null sender) or {@code <>} (the null
 * sender of bounces; no other rule applies to it). Each selector may appear once.
 *
 * <h2>Search order</h2>
 * For the envelope sender {@code user@a.b.example}: {@code user@a.b.example}, {@code a.b.example},
 * {@code .b.example}, {@code .example}, then {@code *}. The first rule found applies (most specific wins);
 * rules are never merged. Comparison is case-insensitive.
 *
 * <h2>Keys</h2>
 * <table>
 *   <caption>rule keys</caption>
 *   <tr><th>key</th><th>values</th><th>default</th></tr>
 *   <tr><td>template</td><td>a name: the files {@code NAME.txt} (required) and {@code NAME.html} (optional) next to
 *       the rules file; or {@code none}: no disclaimer for these senders</td><td>required</td></tr>
 *   <tr><td>scope</td><td>{@code all} every message; {@code any-external} only when at least one recipient is
 *       external (the whole message, internal recipients included, gets it); {@code external-only} external
 *       recipients get the disclaimer, internal ones a separate copy without it</td><td>{@code any-external}</td></tr>
 *   <tr><td>position</td><td>{@code append} (footer) or {@code prepend} (banner)</td><td>{@code append}</td></tr>
 *   <tr><td>signed</td><td>{@code wrap}, {@code skip}, {@code reject} (see {@link DisclaimerSpec.SignedPolicy})</td>
 *       <td>{@code wrap}</td></tr>
 *   <tr><td>attachment-only</td><td>{@code add-part}, {@code skip} (see
 *       {@link DisclaimerSpec.AttachmentOnlyPolicy})</td><td>{@code add-part}</td></tr>
 *   <tr><td>max-edit-size</td><td>largest text body (as encoded) that gets the disclaimer inside it: bytes, or
 *       with {@code K}/{@code M}, at most {@code 64M}; a larger body is left as it is (never loaded) and the
 *       disclaimer becomes a part of its own after it ({@code 0}: always so)</td><td>{@code 4M}</td></tr>
 * </table>
 * A recipient is internal when its domain is in James's domain list or matches an {@code internal} entry.
 * Errors name the file, the line, the value and what was expected; unknown and repeated keys are errors.
 *
 * <h2>Example</h2>
 * <pre>
 * internal corp.example .corp.example
 * *                   template=default
 * legal.corp.example  template=legal position=prepend signed=skip
 * ceo@corp.example    template=none
 * &lt;&gt;                  template=none
 * </pre>
 */
public final class DisclaimerRules {
    static final Pattern TEMPLATE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern LOCAL_PART = Pattern.compile("[^\\s@<>]+");
    private static final Set<String> KEYS = Set.of("template", "scope", "position", "signed", "attachment-only", "max-edit-size");

    /** Who gets the disclaimer. */
    public enum Scope {
        ALL, ANY_EXTERNAL, EXTERNAL_ONLY;

        static Scope parse(String where, String value) {
            for (Scope s : values()) {
                if (s.name().replace('_', '-').toLowerCase(Locale.ROOT).equals(value)) {
                    return s;
                }
            }
            throw new IllegalArgumentException(where + ": scope '" + value + "' is not valid, expected all, any-external or external-only");
        }

        public String token() {
            return name().replace('_', '-').toLowerCase(Locale.ROOT);
        }
    }

    /** One rule. {@link #template()} is empty for {@code template=none}. */
    public static final class Rule {
        private final String selector;
        private final int line;
        private final Optional<String> template;
        private final Scope scope;
        private final DisclaimerSpec spec;

        Rule(String selector, int line, Optional<String> template, Scope scope, DisclaimerSpec spec) {
            this.selector = selector;
            this.line = line;
            this.template = template;
            this.scope = scope;
            this.spec = spec;
        }

        public String selector() {
            return selector;
        }

        public int line() {
            return line;
        }

        public Optional<String> template() {
            return template;
        }

        public Scope scope() {
            return scope;
        }

        /** Inserter settings; the id is the template name. */
        public DisclaimerSpec spec() {
            return spec;
        }

        @Override
        public String toString() {
            return selector + " (line " + line + ")";
        }
    }

    private final Map<String, Rule> rules;
    private final List<String> internalDomains;

    private DisclaimerRules(Map<String, Rule> rules, List<String> internalDomains) {
        this.rules = Collections.unmodifiableMap(rules);
        this.internalDomains = List.copyOf(internalDomains);
    }

    /** Reads and validates a rules file. */
    public static DisclaimerRules load(Path file) throws IOException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Parses rules text; {@code source} names it in errors. */
    public static DisclaimerRules parse(String source, String text) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        List<String> internal = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String where = source + ": line " + lineNo;
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            if (words[0].equals("internal")) {
                if (words.length == 1) {
                    throw new IllegalArgumentException(where + ": 'internal' needs at least one domain, e.g. internal corp.example .corp.example");
                }
                for (int w = 1; w < words.length; w++) {
                    String d = words[w].toLowerCase(Locale.ROOT);
                    String bare = d.startsWith(".") ? d.substring(1) : d;
                    if (!DOMAIN.matcher(bare).matches()) {
                        throw new IllegalArgumentException(where + ": '" + words[w] + "' is not a domain, expected example.com or .example.com");
                    }
                    internal.add(d);
                }
                continue;
            }
            String selector = selector(where, words[0]);
            if (rules.containsKey(selector)) {
                throw new IllegalArgumentException(where + ": selector '" + words[0] + "' already has a rule on line "
                        + rules.get(selector).line() + ", expected each selector once");
            }
            rules.put(selector, rule(where, selector, lineNo, words));
        }
        return new DisclaimerRules(rules, internal);
    }

    private static String selector(String where, String word) {
        String s = word.toLowerCase(Locale.ROOT);
        if (s.equals("*") || s.equals("<>")) {
            return s;
        }
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            if (at > 0 && LOCAL_PART.matcher(s.substring(0, at)).matches() && DOMAIN.matcher(s.substring(at + 1)).matches()) {
                return s;
            }
        } else if (DOMAIN.matcher(s.startsWith(".") ? s.substring(1) : s).matches()) {
            return s;
        }
        throw new IllegalArgumentException(where + ": selector '" + word
                + "' is not valid, expected user@domain, domain, .domain, * or <>");
    }

    private static Rule rule(String where, String selector, int lineNo, String[] words) {
        Map<String, String> kv = new HashMap<>();
        for (int w = 1; w < words.length; w++) {
            int eq = words[w].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(where + ": '" + words[w] + "' is not key=value, expected one of " + new java.util.TreeSet<>(KEYS));
            }
            String key = words[w].substring(0, eq).toLowerCase(Locale.ROOT);
            String value = words[w].substring(eq + 1);
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(where + ": unknown key '" + key + "', expected one of " + new java.util.TreeSet<>(KEYS));
            }
            if (kv.put(key, value) != null) {
                throw new IllegalArgumentException(where + ": key '" + key + "' given twice");
            }
        }
        String template = kv.get("template");
        if (template == null) {
            throw new IllegalArgumentException(where + ": template=NAME missing (or template=none)");
        }
        if (!TEMPLATE_NAME.matcher(template).matches()) {
            throw new IllegalArgumentException(where + ": template '" + template
                    + "' is not valid, expected a name of 1-64 characters A-Z a-z 0-9 . _ - (or none)");
        }
        boolean none = template.equals("none");
        DisclaimerSpec.Builder spec = DisclaimerSpec.builder().id(template);
        try {
            if (kv.containsKey("position")) {
                spec.position(DisclaimerSpec.Position.parse("position", kv.get("position")));
            }
            if (kv.containsKey("signed")) {
                spec.signedPolicy(DisclaimerSpec.SignedPolicy.parse("signed", kv.get("signed")));
            }
            if (kv.containsKey("attachment-only")) {
                spec.attachmentOnlyPolicy(DisclaimerSpec.AttachmentOnlyPolicy.parse("attachment-only", kv.get("attachment-only")));
            }
            if (kv.containsKey("max-edit-size")) {
                spec.maxEditSize(DisclaimerSpec.parseSize("max-edit-size", kv.get("max-edit-size")));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        Scope scope = kv.containsKey("scope") ? Scope.parse(where, kv.get("scope").toLowerCase(Locale.ROOT)) : Scope.ANY_EXTERNAL;
        if (none && kv.size() > 1) {
            throw new IllegalArgumentException(where + ": template=none takes no other keys, found " + new java.util.TreeSet<>(kv.keySet()));
        }
        return new Rule(selector, lineNo, none ? Optional.empty() : Optional.of(template), scope, spec.build());
    }

    /**
     * The rule for an envelope sender (search order in the class comment).
     *
     * @param sender the address, or empty for the null sender
     */
    public Optional<Rule> lookup(Optional<String> sender) {
        if (sender.isEmpty()) {
            return Optional.ofNullable(rules.get("<>"));
        }
        String address = sender.get().toLowerCase(Locale.ROOT);
        Rule r = rules.get(address);
        if (r != null) {
            return Optional.of(r);
        }
        int at = address.lastIndexOf('@');
        String domain = at < 0 ? address : address.substring(at + 1);
        r = rules.get(domain);
        if (r != null) {
            return Optional.of(r);
        }
        for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
            r = rules.get(domain.substring(dot));
            if (r != null) {
                return Optional.of(r);
            }
        }
        return Optional.ofNullable(rules.get("*"));
    }

    /** True when the domain matches an {@code internal} entry (exact, or a subdomain of a {@code .domain} entry). */
    public boolean isListedInternal(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        for (String entry : internalDomains) {
            if (entry.startsWith(".") ? d.endsWith(entry) : d.equals(entry)) {
                return true;
            }
        }
        return false;
    }

    /** The template names the rules use, in file order, without duplicates. */
    public Set<String> templateNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Rule r : rules.values()) {
            r.template().ifPresent(names::add);
        }
        return names;
    }

    public List<Rule> rules() {
        return List.copyOf(rules.values());
    }
}
