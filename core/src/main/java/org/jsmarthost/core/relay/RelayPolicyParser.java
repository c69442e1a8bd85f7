package org.jsmarthost.core.relay;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parser for the policy file format documented in {@link RelayPolicy}. */
final class RelayPolicyParser {
    private enum Arg { NONE, REQUIRED }

    private static final Map<String, Arg> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("trusted_networks", Arg.NONE);
        KEYS.put("sender_domains", Arg.NONE);
        KEYS.put("relay_domain", Arg.REQUIRED);
        KEYS.put("relay_recipients", Arg.REQUIRED);
        KEYS.put("relay_recipients_file", Arg.REQUIRED);
        KEYS.put("grant", Arg.REQUIRED);
        KEYS.put("pop_window", Arg.NONE);
        KEYS.put("submission_requires_tls", Arg.NONE);
        KEYS.put("quota_identity_default", Arg.NONE);
        KEYS.put("quota_domain_default", Arg.NONE);
        KEYS.put("quota_identity", Arg.REQUIRED);
        KEYS.put("quota_domain", Arg.REQUIRED);
    }

    private static final Pattern DURATION = Pattern.compile("(0|[1-9][0-9]{0,5})([smh]?)");
    private static final Pattern COUNT = Pattern.compile("0|[1-9][0-9]{0,11}");
    private static final Duration MAX_POP_WINDOW = Duration.ofHours(24);
    private static final String LIMIT_NAMES = "messages_per_hour, messages_per_day, recipients_per_hour,"
            + " recipients_per_day";

    private RelayPolicyParser() {
    }

    /** One logical entry of the file. */
    private static final class Entry {
        final int line;
        final String key;
        final String arg;
        final String value;

        Entry(int line, String key, String arg, String value) {
            this.line = line;
            this.key = key;
            this.arg = arg;
            this.value = value;
        }

        String display() {
            return arg == null ? key : key + " " + arg;
        }
    }

    static RelayPolicy parseFile(Path file) throws PolicyException {
        String text = readUtf8(file, file.toString());
        Path dir = file.toAbsolutePath().getParent();
        return parseText(text, file.getFileName().toString(), dir, file);
    }

    private static String readUtf8(Path file, String name) throws PolicyException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PolicyException(name + ": cannot read: " + e, e);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PolicyException(name + ": not valid UTF-8", e);
        }
    }

    static RelayPolicy parseText(String text, String source, Path baseDir, Path file) throws PolicyException {
        List<Entry> entries = logicalEntries(text, source);
        Map<String, Integer> seen = new HashMap<>();
        for (Entry e : entries) {
            Integer first = seen.putIfAbsent(e.key + " " + (e.arg == null ? "" : e.arg), e.line);
            if (first != null) {
                throw new PolicyException(source + " line " + e.line + ": duplicate key '" + e.display()
                        + "' (first given at line " + first + "), expected each key once");
            }
        }
        TrustedNetworks trusted = TrustedNetworks.none();
        Set<String> senderDomains = new LinkedHashSet<>();
        Map<String, NextHop> nextHops = new LinkedHashMap<>();
        Map<String, Set<String>> recipients = new LinkedHashMap<>();
        Map<String, Integer> recipientLines = new LinkedHashMap<>();
        Map<String, Grant> grants = new LinkedHashMap<>();
        Duration popWindow = RelayPolicy.DEFAULT_POP_WINDOW;
        boolean submissionTls = true;
        QuotaLimits identityDefault = QuotaLimits.NONE;
        QuotaLimits domainDefault = QuotaLimits.NONE;
        Map<String, Long[]> identityOverrides = new LinkedHashMap<>();
        Map<String, Long[]> domainOverrides = new LinkedHashMap<>();
        List<Path> sources = new ArrayList<>();
        if (file != null) {
            sources.add(file);
        }
        for (Entry e : entries) {
            String where = source + " line " + e.line + ": key '" + e.display() + "': ";
            try {
                switch (e.key) {
                    case "trusted_networks":
                        trusted = TrustedNetworks.parse(items(e.value));
                        break;
                    case "sender_domains":
                        for (String d : items(e.value)) {
                            if (!senderDomains.add(domain(d))) {
                                throw new IllegalArgumentException("'" + d + "' is listed twice");
                            }
                        }
                        break;
                    case "relay_domain":
                        nextHops.put(domain(e.arg), NextHop.parse(single(e.value, "mx, host[:port] or [ip]:port")));
                        break;
                    case "relay_recipients":
                        addRecipients(recipients, domain(e.arg), items(e.value), "");
                        recipientLines.putIfAbsent(domain(e.arg), e.line);
                        break;
                    case "relay_recipients_file": {
                        String pathText = single(e.value, "a file path");
                        Path p = baseDir == null ? Path.of(pathText) : baseDir.resolve(pathText);
                        String content;
                        try {
                            content = readUtf8(p, p.toString());
                        } catch (PolicyException pe) {
                            throw new IllegalArgumentException("'" + pathText + "' " + pe.getMessage()
                                    .substring(p.toString().length() + 2) + ", expected a readable UTF-8 file", pe);
                        }
                        sources.add(p);
                        List<String> lines = new ArrayList<>();
                        String[] raw = content.split("\r?\n", -1);
                        for (int i = 0; i < raw.length; i++) {
                            String l = raw[i].trim();
                            if (!l.isEmpty() && !l.startsWith("#")) {
                                lines.add(l);
                            }
                        }
                        addRecipients(recipients, domain(e.arg), lines, " (in " + p.getFileName() + ")");
                        recipientLines.putIfAbsent(domain(e.arg), e.line);
                        break;
                    }
                    case "grant":
                        grants.put(login(e.arg), grant(login(e.arg), items(e.value)));
                        break;
                    case "pop_window":
                        popWindow = duration(single(e.value, "a duration such as 30m"));
                        break;
                    case "submission_requires_tls":
                        submissionTls = yesNo(single(e.value, "yes or no"));
                        break;
                    case "quota_identity_default":
                        identityDefault = limits(e.value, QuotaLimits.NONE);
                        break;
                    case "quota_domain_default":
                        domainDefault = limits(e.value, QuotaLimits.NONE);
                        break;
                    case "quota_identity":
                        if (identityOverrides.put(quotaIdentity(e.arg), limitOverride(e.value)) != null) {
                            throw new IllegalArgumentException("identity '" + e.arg + "' is configured twice (as '"
                                    + quotaIdentity(e.arg) + "'), expected each identity once");
                        }
                        break;
                    case "quota_domain":
                        domainOverrides.put(domain(e.arg), limitOverride(e.value));
                        break;
                    default:
                        throw new IllegalStateException(e.key);
                }
            } catch (IllegalArgumentException ex) {
                throw new PolicyException(where + ex.getMessage(), ex);
            }
        }
        for (Map.Entry<String, Integer> r : recipientLines.entrySet()) {
            if (!nextHops.containsKey(r.getKey())) {
                throw new PolicyException(source + " line " + r.getValue() + ": recipients are listed for '"
                        + r.getKey() + "' but there is no 'relay_domain " + r.getKey() + "', expected a relay domain");
            }
        }
        Map<String, RelayDomain> relayDomains = new LinkedHashMap<>();
        for (Map.Entry<String, NextHop> n : nextHops.entrySet()) {
            relayDomains.put(n.getKey(), new RelayDomain(n.getKey(), n.getValue(), recipients.get(n.getKey())));
        }
        Map<String, QuotaLimits> idLimits = new LinkedHashMap<>();
        for (Map.Entry<String, Long[]> o : identityOverrides.entrySet()) {
            Long[] v = o.getValue();
            idLimits.put(o.getKey(), identityDefault.with(v[0], v[1], v[2], v[3]));
        }
        Map<String, QuotaLimits> domLimits = new LinkedHashMap<>();
        for (Map.Entry<String, Long[]> o : domainOverrides.entrySet()) {
            Long[] v = o.getValue();
            domLimits.put(o.getKey(), domainDefault.with(v[0], v[1], v[2], v[3]));
        }
        return new RelayPolicy(trusted, senderDomains, relayDomains, grants, popWindow, submissionTls,
                new QuotaPolicy(identityDefault, domainDefault, idLimits, domLimits), sources);
    }

    private static List<Entry> logicalEntries(String text, String source) throws PolicyException {
        String[] lines = text.split("\r?\n", -1);
        List<Entry> result = new ArrayList<>();
        int startLine = -1;
        StringBuilder current = null;
        for (int i = 0; i <= lines.length; i++) {
            String line = i < lines.length ? lines[i] : null;
            if (line != null) {
                for (int c = 0; c < line.length(); c++) {
                    char ch = line.charAt(c);
                    if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                        throw new PolicyException(source + " line " + (i + 1) + ": control character 0x"
                                + Integer.toHexString(ch) + ", expected printable text");
                    }
                }
                String trimmed = line.trim();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                if (Character.isWhitespace(line.charAt(0))) {
                    if (current == null) {
                        throw new PolicyException(source + " line " + (i + 1) + ": continuation line '" + trimmed
                                + "' without a preceding entry, expected 'key = value' at the start of the line");
                    }
                    current.append(' ').append(trimmed);
                    continue;
                }
            }
            if (current != null) {
                result.add(entry(current.toString(), startLine, source));
            }
            if (line != null) {
                current = new StringBuilder(line.trim());
                startLine = i + 1;
            }
        }
        return result;
    }

    private static Entry entry(String text, int line, String source) throws PolicyException {
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw new PolicyException(source + " line " + line + ": '" + text + "' has no '=', expected 'key = value'"
                    + " or 'key argument = value'");
        }
        String[] left = text.substring(0, eq).trim().split("\\s+");
        String value = text.substring(eq + 1).trim();
        String key = left[0];
        if (key.isEmpty()) {
            throw new PolicyException(source + " line " + line + ": no key before '=', expected 'key = value'");
        }
        Arg arg = KEYS.get(key);
        if (arg == null) {
            throw new PolicyException(source + " line " + line + ": unknown key '" + key + "', expected one of "
                    + String.join(", ", KEYS.keySet()));
        }
        if (left.length > 2) {
            throw new PolicyException(source + " line " + line + ": key '" + key + "' has more than one argument: '"
                    + text.substring(0, eq).trim() + "'");
        }
        if (arg == Arg.NONE && left.length == 2) {
            throw new PolicyException(source + " line " + line + ": key '" + key + "' takes no argument, got '"
                    + left[1] + "', expected '" + key + " = value'");
        }
        if (arg == Arg.REQUIRED && left.length == 1) {
            throw new PolicyException(source + " line " + line + ": key '" + key + "' needs an argument, expected '"
                    + key + " ARGUMENT = value'");
        }
        return new Entry(line, key, left.length == 2 ? left[1].toLowerCase(Locale.ROOT) : null,
                expandSystemProperties(value, source + " line " + line + ": key '" + key + "': "));
    }

    private static final Pattern SYS_REF = Pattern.compile("\\$\\{sys:([A-Za-z0-9_.-]+)\\}");

    /**
     * Replaces {@code ${sys:NAME}} with the JVM system property NAME (the launcher exports SMARTHOST_* variables as
     * {@code smarthost.*} properties). An undefined property refuses the file: a policy must never be guessed.
     */
    static String expandSystemProperties(String value, String where) throws PolicyException {
        if (value.indexOf("${") < 0) {
            return value;
        }
        Matcher m = SYS_REF.matcher(value);
        StringBuilder sb = new StringBuilder();
        int last = 0;
        while (m.find()) {
            String v = System.getProperty(m.group(1));
            if (v == null) {
                throw new PolicyException(where + "'" + m.group() + "' refers to the undefined system property '"
                        + m.group(1) + "', expected it to be set (the launcher sets smarthost.* from SMARTHOST_*)");
            }
            sb.append(value, last, m.start()).append(v);
            last = m.end();
        }
        sb.append(value.substring(last));
        if (sb.indexOf("${") >= 0) {
            throw new PolicyException(where + "'" + value + "' has a '${' that is not ${sys:NAME}, expected"
                    + " ${sys:NAME} with NAME of letters, digits, '.', '_' or '-'");
        }
        return sb.toString();
    }

    private static List<String> items(String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split("[\\s,]+")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private static String single(String value, String expected) {
        List<String> it = items(value);
        if (it.size() != 1 || !value.equals(it.get(0))) {
            throw new IllegalArgumentException("'" + value + "' is not a single value, expected " + expected);
        }
        return value;
    }

    private static String domain(String text) {
        String d = text.toLowerCase(Locale.ROOT);
        String problem = AddressGuard.domainProblem(d);
        if (problem != null) {
            throw new IllegalArgumentException("'" + text + "' is not a valid domain ("
                    + problem.substring(problem.indexOf(' ') + 1) + "), expected a name like example.org");
        }
        return d;
    }

    private static String login(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '=' || c == ',') {
                throw new IllegalArgumentException("'" + text + "' is not a valid login, expected a user name");
            }
        }
        return Identity.normaliseLogin(text);
    }

    private static String quotaIdentity(String text) {
        if (text.startsWith("ip:")) {
            try {
                return "ip:" + TrustedNetworks.addressText(TrustedNetworks.parseAddress(text.substring(3)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text + "' is not a valid identity: " + e.getMessage()
                        + "; expected a login or ip:ADDRESS", e);
            }
        }
        return login(text);
    }

    private static EnvelopeAddress address(String text) {
        AddressCheck c = AddressGuard.checkRecipient(text);
        if (!c.isAddress()) {
            throw new IllegalArgumentException("'" + text + "' is not a valid address (" + c.ruleId() + ": "
                    + c.reason() + "), expected local@domain");
        }
        return c.address();
    }

    private static void addRecipients(Map<String, Set<String>> recipients, String domain, List<String> items,
            String where) {
        Set<String> set = recipients.computeIfAbsent(domain, d -> new LinkedHashSet<>());
        for (String item : items) {
            EnvelopeAddress a = address(item);
            if (!a.domain().equals(domain)) {
                throw new IllegalArgumentException("'" + item + "'" + where + " is not in domain '" + domain
                        + "', expected addresses of that relay domain");
            }
            if (!set.add(a.canonical())) {
                throw new IllegalArgumentException("'" + item + "'" + where + " is listed twice");
            }
        }
    }

    private static Grant grant(String login, List<String> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("empty grant, expected addresses and/or @domains");
        }
        Set<String> addresses = new LinkedHashSet<>();
        Set<String> domains = new LinkedHashSet<>();
        for (String item : items) {
            boolean added = item.startsWith("@") ? domains.add(domain(item.substring(1)))
                    : addresses.add(address(item).canonical());
            if (!added) {
                throw new IllegalArgumentException("'" + item + "' is listed twice");
            }
        }
        return new Grant(login, addresses, domains);
    }

    private static Duration duration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches() || (m.group(2).isEmpty() && !"0".equals(m.group(1)))) {
            throw new IllegalArgumentException("'" + text + "' is not a duration, expected Ns, Nm or Nh (or 0)");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = "h".equals(m.group(2)) ? Duration.ofHours(n)
                : "m".equals(m.group(2)) ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
        if (d.compareTo(MAX_POP_WINDOW) > 0) {
            throw new IllegalArgumentException("'" + text + "' is longer than 24h, expected at most 24h");
        }
        return d;
    }

    private static boolean yesNo(String text) {
        if ("yes".equals(text)) {
            return true;
        }
        if ("no".equals(text)) {
            return false;
        }
        throw new IllegalArgumentException("'" + text + "' is not yes or no, expected yes or no");
    }

    private static QuotaLimits limits(String value, QuotaLimits base) {
        Long[] v = limitOverride(value);
        return base.with(v[0], v[1], v[2], v[3]);
    }

    private static Long[] limitOverride(String value) {
        Long[] v = new Long[4];
        List<String> names = List.of("messages_per_hour", "messages_per_day", "recipients_per_hour",
                "recipients_per_day");
        List<String> it = items(value);
        if (it.isEmpty()) {
            throw new IllegalArgumentException("no limits given, expected NAME=N with NAME one of " + LIMIT_NAMES);
        }
        Set<String> given = new TreeSet<>();
        for (String item : it) {
            int eq = item.indexOf('=');
            String name = eq < 0 ? item : item.substring(0, eq);
            int idx = names.indexOf(name);
            if (eq < 0 || idx < 0) {
                throw new IllegalArgumentException("'" + item + "' is not a limit, expected NAME=N (or NAME=unlimited)"
                        + " with NAME one of " + LIMIT_NAMES);
            }
            if (!given.add(name)) {
                throw new IllegalArgumentException("'" + name + "' is given twice");
            }
            String n = item.substring(eq + 1);
            if ("unlimited".equals(n)) {
                v[idx] = QuotaLimits.UNLIMITED;
            } else if (COUNT.matcher(n).matches()) {
                v[idx] = Long.parseLong(n);
            } else {
                throw new IllegalArgumentException("'" + item + "' has an invalid count '" + n
                        + "', expected a whole number >= 0 or 'unlimited'");
            }
        }
        return v;
    }
}
