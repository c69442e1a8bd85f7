package org.jsmarthost.core.dkim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;

/**
 * An immutable snapshot of the DKIM key table and signing table, which decide which keys sign a
 * message, by its header {@code From:} address (so the signature is DMARC-aligned). Load with
 * {@link #load(Path, Path)}; to reload after the files changed, call it again and swap the snapshot
 * (a failed load leaves the old snapshot in use).
 *
 * <h2>KEY TABLE FORMAT</h2>
 * One key per line: a key name, then attributes {@code name=value}, separated by white space.
 * Empty lines and lines starting with {@code #} are ignored.
 * <pre>
 * # name          attributes
 * example-rsa     domain=example.com selector=s2026r algorithm=rsa-sha256 key=keys/example.com.s2026r.pem
 * example-ed      domain=example.com selector=s2026e algorithm=ed25519-sha256 key=keys/example.com.s2026e.pem
 * shop-rsa        domain=shop.example.org selector=mail algorithm=rsa key=/etc/james/dkim/shop.pem password-file=/etc/james/dkim/shop.pass
 * </pre>
 * <dl>
 * <dt>{@code domain} (required)</dt><dd>the signing domain {@code d=}</dd>
 * <dt>{@code selector} (required)</dt><dd>the selector {@code s=}; the public key is published at
 *     {@code selector._domainkey.domain}</dd>
 * <dt>{@code algorithm} (required)</dt><dd>{@code rsa-sha256} (or {@code rsa}) or {@code ed25519-sha256}
 *     (or {@code ed25519}); must match the key in the file</dd>
 * <dt>{@code key} (required)</dt><dd>the private key PEM file (PKCS#1 or PKCS#8 RSA of at least 1024
 *     bits, PKCS#8 Ed25519, optionally encrypted); relative paths are relative to the key table's folder</dd>
 * <dt>{@code password-file} (optional)</dt><dd>a file whose first line is the password of an encrypted key</dd>
 * </dl>
 * Key names are case-sensitive and must be unique. Keys that no signing-table entry uses are loaded
 * (and checked) anyway, which allows publishing a new key before switching to it.
 *
 * <h2>SIGNING TABLE FORMAT</h2>
 * One entry per line: a pattern, then one or more key names separated by commas and/or white space.
 * Each listed key adds one DKIM-Signature (list an RSA and an Ed25519 key for dual signing).
 * Patterns (case-insensitive):
 * <dl>
 * <dt>{@code user@example.com}</dt><dd>exactly this From address</dd>
 * <dt>{@code example.com}</dt><dd>any From address in this domain (not its subdomains)</dd>
 * <dt>{@code .example.com} or {@code *.example.com}</dt><dd>any address in a subdomain of example.com
 *     (not example.com itself)</dd>
 * <dt>{@code *}</dt><dd>any From address: the default. Caution: this signs mail from foreign domains
 *     with your domain's key (a non-aligned signature); omit it unless you want that.</dd>
 * </dl>
 * A pattern may appear only once. Every key name must exist in the key table.
 *
 * <h2>SEARCH ORDER</h2>
 * For the From address {@code user@a.b.example.com} the first matching entry wins, like Postfix
 * transport(5):
 * <ol>
 * <li>{@code user@a.b.example.com}</li>
 * <li>{@code a.b.example.com}</li>
 * <li>{@code .b.example.com}, {@code .example.com}, {@code .com} (parent-domain wildcards, most specific first)</li>
 * <li>{@code *}</li>
 * </ol>
 * No match: the message is not signed ({@link SigningPlan#reason()} says why). A message is also not
 * signed when it has no From field, several From fields, or a From field without exactly one address.
 *
 * <h2>EXAMPLES</h2>
 * <pre>
 * # signing table
 * example.com          example-rsa, example-ed     # dual signing RSA + Ed25519
 * .example.com         example-rsa                 # subdomains: d=example.com (relaxed DMARC alignment)
 * shop.example.org     shop-rsa
 * ceo@example.org      shop-rsa
 * </pre>
 *
 * <h2>ERRORS</h2>
 * Any error fails the whole load and names the file and line: syntax, unknown or duplicate key
 * names, duplicate patterns, unreadable or undecryptable key files, an algorithm that does not match
 * the key, RSA keys under 1024 bits.
 */
public final class DkimTables {
    private final Map<String, DkimKey> keys;
    private final Map<String, List<DkimKey>> signing;

    private DkimTables(Map<String, DkimKey> keys, Map<String, List<DkimKey>> signing) {
        this.keys = Collections.unmodifiableMap(keys);
        this.signing = Collections.unmodifiableMap(signing);
    }

    /**
     * Reads and checks both tables and all key files.
     *
     * @throws DkimConfigException naming the file, line and problem
     */
    public static DkimTables load(Path keyTable, Path signingTable) throws DkimConfigException {
        Map<String, DkimKey> keys = loadKeyTable(keyTable);
        Map<String, List<DkimKey>> signing = new LinkedHashMap<>();
        Map<String, Integer> patternLine = new LinkedHashMap<>();
        List<String> lines = readLines(signingTable);
        for (int i = 0; i < lines.size(); i++) {
            String where = signingTable + " line " + (i + 1) + ": ";
            String line = stripComment(lines.get(i));
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("[\\s,]+");
            if (parts.length < 2) {
                throw new DkimConfigException(where + "'" + line + "' has no key name, expected: pattern keyname[,keyname...]");
            }
            String pattern;
            try {
                pattern = normalizePattern(parts[0]);
            } catch (IllegalArgumentException e) {
                throw new DkimConfigException(where + e.getMessage());
            }
            Integer previous = patternLine.putIfAbsent(pattern, i + 1);
            if (previous != null) {
                throw new DkimConfigException(where + "pattern '" + parts[0] + "' is already defined on line " + previous);
            }
            List<DkimKey> list = new ArrayList<>();
            for (int p = 1; p < parts.length; p++) {
                DkimKey k = keys.get(parts[p]);
                if (k == null) {
                    throw new DkimConfigException(where + "key name '" + parts[p] + "' is not defined in the key table " + keyTable);
                }
                if (list.contains(k)) {
                    throw new DkimConfigException(where + "key name '" + parts[p] + "' is listed twice");
                }
                list.add(k);
            }
            signing.put(pattern, List.copyOf(list));
        }
        return new DkimTables(keys, signing);
    }

    private static Map<String, DkimKey> loadKeyTable(Path keyTable) throws DkimConfigException {
        Map<String, DkimKey> keys = new LinkedHashMap<>();
        Map<String, Integer> keyLine = new LinkedHashMap<>();
        List<String> lines = readLines(keyTable);
        Path base = keyTable.toAbsolutePath().getParent();
        for (int i = 0; i < lines.size(); i++) {
            String where = keyTable + " line " + (i + 1) + ": ";
            String line = stripComment(lines.get(i));
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+");
            String name = parts[0];
            if (name.contains("=")) {
                throw new DkimConfigException(where + "'" + name + "' is not a key name, expected: name domain=... selector=... algorithm=... key=...");
            }
            Integer previous = keyLine.putIfAbsent(name, i + 1);
            if (previous != null) {
                throw new DkimConfigException(where + "key name '" + name + "' is already defined on line " + previous);
            }
            Map<String, String> attrs = new LinkedHashMap<>();
            for (int p = 1; p < parts.length; p++) {
                int eq = parts[p].indexOf('=');
                if (eq <= 0) {
                    throw new DkimConfigException(where + "'" + parts[p] + "' is not name=value");
                }
                String an = parts[p].substring(0, eq).toLowerCase(Locale.ROOT);
                if (!List.of("domain", "selector", "algorithm", "key", "password-file").contains(an)) {
                    throw new DkimConfigException(where + "unknown attribute '" + an + "', expected domain, selector, algorithm, key or password-file");
                }
                if (attrs.put(an, parts[p].substring(eq + 1)) != null) {
                    throw new DkimConfigException(where + "attribute '" + an + "' given twice");
                }
            }
            for (String req : List.of("domain", "selector", "algorithm", "key")) {
                if (!attrs.containsKey(req) || attrs.get(req).isEmpty()) {
                    throw new DkimConfigException(where + "key '" + name + "' lacks " + req + "=");
                }
            }
            DkimAlgorithm algorithm;
            try {
                algorithm = DkimAlgorithm.parse(attrs.get("algorithm"));
                DomainNames.requireDomain(attrs.get("domain"), "domain");
                DomainNames.requireSelector(attrs.get("selector"), "selector");
            } catch (IllegalArgumentException e) {
                throw new DkimConfigException(where + e.getMessage());
            }
            Path keyFile = base.resolve(attrs.get("key"));
            char[] password = null;
            if (attrs.containsKey("password-file")) {
                Path pf = base.resolve(attrs.get("password-file"));
                try {
                    List<String> pl = Files.readAllLines(pf, StandardCharsets.UTF_8);
                    password = (pl.isEmpty() ? "" : pl.get(0)).toCharArray();
                } catch (IOException e) {
                    throw new DkimConfigException(where + "cannot read password file " + pf + ": " + e, e);
                }
            }
            DkimPrivateKey pk;
            try {
                pk = DkimKeys.load(keyFile, password);
            } catch (IOException e) {
                throw new DkimConfigException(where + e.getMessage(), e);
            }
            if (pk.algorithm() != algorithm) {
                throw new DkimConfigException(where + "key file " + keyFile + " holds an " + pk.algorithm().keyType()
                        + " key but algorithm=" + attrs.get("algorithm"));
            }
            keys.put(name, new DkimKey(name, attrs.get("domain"), attrs.get("selector"), pk, keyFile));
        }
        return keys;
    }

    private static List<String> readLines(Path file) throws DkimConfigException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DkimConfigException(file + ": cannot read: " + e, e);
        }
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return (hash < 0 ? line : line.substring(0, hash)).trim();
    }

    static String normalizePattern(String raw) {
        String p = raw.toLowerCase(Locale.ROOT);
        if (p.equals("*")) {
            return p;
        }
        if (p.startsWith("*.")) {
            p = p.substring(1);
        }
        String domain;
        if (p.startsWith(".")) {
            domain = p.substring(1);
        } else if (p.indexOf('@') >= 0) {
            int at = p.lastIndexOf('@');
            if (at == 0) {
                throw new IllegalArgumentException("pattern '" + raw + "' has an empty local part, expected user@domain, domain, .domain, *.domain or *");
            }
            domain = p.substring(at + 1);
        } else {
            domain = p;
        }
        if (!DomainNames.isDomain(domain)) {
            throw new IllegalArgumentException("pattern '" + raw + "' is not valid, expected user@domain, domain, .domain, *.domain or *");
        }
        return p;
    }

    /**
     * A key-table line in the documented format (for tooling that appends to the table).
     *
     * @param passwordFile may be null
     */
    public static String keyTableLine(String name, String domain, String selector, DkimAlgorithm algorithm, Path keyFile,
            Path passwordFile) {
        if (name.isEmpty() || name.contains("=") || name.contains("#") || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("key name '" + name + "' is invalid, expected no white space, '=' or '#'");
        }
        DomainNames.requireDomain(domain, "domain");
        DomainNames.requireSelector(selector, "selector");
        for (Path p : new Path[] {keyFile, passwordFile}) {
            if (p != null && (p.toString().contains("#") || p.toString().chars().anyMatch(Character::isWhitespace))) {
                throw new IllegalArgumentException("path '" + p + "' contains white space or '#', which the table format cannot hold");
            }
        }
        return name + " domain=" + domain.toLowerCase(Locale.ROOT) + " selector=" + selector.toLowerCase(Locale.ROOT)
                + " algorithm=" + algorithm.tag() + " key=" + keyFile
                + (passwordFile == null ? "" : " password-file=" + passwordFile);
    }

    /** A signing-table line in the documented format. */
    public static String signingTableLine(String pattern, List<String> keyNames) {
        normalizePattern(pattern);
        if (keyNames.isEmpty()) {
            throw new IllegalArgumentException("signing-table entry '" + pattern + "' needs at least one key name");
        }
        return pattern + " " + String.join(", ", keyNames);
    }

    /** All keys of the key table, by name, in file order. */
    public Map<String, DkimKey> keys() {
        return keys;
    }

    /** The signing table: normalised pattern to keys, in file order. */
    public Map<String, List<DkimKey>> signingTable() {
        return signing;
    }

    /**
     * Selects the keys for a From address (addr-spec, e.g. {@code joe@example.com}); see SEARCH ORDER.
     */
    public SigningPlan select(String fromAddress) {
        if (fromAddress == null || fromAddress.isBlank()) {
            return SigningPlan.notSigned("From has no address");
        }
        String addr = fromAddress.trim().toLowerCase(Locale.ROOT);
        int at = addr.lastIndexOf('@');
        if (at <= 0 || at == addr.length() - 1) {
            return SigningPlan.notSigned("From address '" + fromAddress + "' has no domain");
        }
        String domain = addr.substring(at + 1);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        List<String> candidates = new ArrayList<>();
        candidates.add(addr.substring(0, at) + "@" + domain);
        candidates.add(domain);
        for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
            candidates.add(domain.substring(dot));
        }
        candidates.add("*");
        for (String c : candidates) {
            List<DkimKey> k = signing.get(c);
            if (k != null) {
                return SigningPlan.sign(k, c);
            }
        }
        return SigningPlan.notSigned("no DKIM key for From domain " + domain);
    }

    /**
     * Selects the keys from the message's From header field values (raw, possibly encoded): exactly
     * one From field with exactly one address is required.
     */
    public SigningPlan selectForFromHeaders(List<String> fromHeaderValues) {
        if (fromHeaderValues == null || fromHeaderValues.isEmpty()) {
            return SigningPlan.notSigned("no From header field");
        }
        if (fromHeaderValues.size() > 1) {
            return SigningPlan.notSigned(fromHeaderValues.size() + " From header fields, expected one");
        }
        InternetAddress[] addrs;
        try {
            addrs = InternetAddress.parseHeader(fromHeaderValues.get(0), true);
        } catch (AddressException e) {
            return SigningPlan.notSigned("From header field cannot be parsed: " + e.getMessage());
        }
        if (addrs.length != 1) {
            return SigningPlan.notSigned("From header field has " + addrs.length + " addresses, expected one");
        }
        return select(addrs[0].getAddress());
    }
}
