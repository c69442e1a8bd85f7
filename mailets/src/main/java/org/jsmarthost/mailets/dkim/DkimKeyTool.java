package org.jsmarthost.mailets.dkim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jsmarthost.core.dkim.DkimAlgorithm;
import org.jsmarthost.core.dkim.DkimConfigException;
import org.jsmarthost.core.dkim.DkimKey;
import org.jsmarthost.core.dkim.DkimKeys;
import org.jsmarthost.core.dkim.DkimPrivateKey;
import org.jsmarthost.core.dkim.DkimTables;
import org.jsmarthost.core.dkim.DnsRecord;

/**
 * {@code dkim keygen} and {@code dkim check-dns} on the server's files.
 *
 * <p>keygen writes {@code keys/DOMAIN.SELECTOR.pem} next to the key table (folder 0700, file 0600, never
 * overwritten), appends {@code DOMAIN-SELECTOR domain=.. selector=.. algorithm=.. key=keys/...} to the key
 * table and puts the key into the signing-table entry of the domain: an existing entry keeps its keys of the
 * other algorithm (RSA + Ed25519 dual signing) and loses the one of the same algorithm (rotation); a missing
 * entry is appended. Then the tables are reloaded, so the next mail is signed with the new key:
 * <b>publish the printed DNS record first</b> when rotating a domain that already signs (or use
 * {@code --no-register}, publish, and add the printed lines yourself).
 */
final class DkimKeyTool {
    private DkimKeyTool() {
    }

    static List<String> keygen(DkimStore store, String domain, String selector, String algorithmName, int bits, boolean register)
            throws IOException {
        DkimAlgorithm algorithm = DkimAlgorithm.parse(algorithmName);
        String d = domain == null ? "" : domain.trim().toLowerCase(Locale.ROOT);
        String s = selector == null ? "" : selector.trim().toLowerCase(Locale.ROOT);
        int size = bits == 0 ? DkimKeys.DEFAULT_RSA_BITS : bits;
        if (algorithm == DkimAlgorithm.RSA_SHA256 && (size < 1024 || size > 8192)) {
            throw new IllegalArgumentException("--bits " + bits + " is not valid for RSA, expected 1024..8192 (default 2048)");
        }
        DkimTables.keyTableLine("check", d, s, algorithm, Path.of("k"), null); // validates domain and selector first
        String name = d + "-" + s;
        Path relative = Path.of("keys", d + "." + s + ".pem");
        String keyLine = DkimTables.keyTableLine(name, d, s, algorithm, relative, null);
        DkimTables tables = store.tables();
        if (tables.keys().containsKey(name)) {
            throw new IllegalArgumentException("key name '" + name + "' already exists in " + store.keyTable());
        }
        for (DkimKey k : tables.keys().values()) {
            if (k.domain().equals(d) && k.selector().equals(s)) {
                throw new IllegalArgumentException("selector '" + s + "' of " + d + " is already used by key '" + k.name()
                        + "': choose a new selector (e.g. a date like s" + java.time.Year.now() + "b)");
            }
        }
        Path keysDir = store.keyTable().getParent().resolve("keys");
        if (!Files.isDirectory(keysDir)) {
            try {
                Files.createDirectories(keysDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(keysDir);
            }
        }
        Path file = store.keyTable().getParent().resolve(relative);
        DkimPrivateKey key = DkimKeys.generate(algorithm, size);
        try {
            DkimKeys.writePkcs8Pem(key, file);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("key file " + file + " already exists (keys are never overwritten): choose a new selector");
        }
        DnsRecord record = DnsRecord.of(d, s, key);
        List<String> out = new ArrayList<>();
        out.add("wrote " + algorithm.tag() + (algorithm == DkimAlgorithm.RSA_SHA256 ? " " + size + "-bit" : "")
                + " private key " + file + " (mode 0600)");
        if (register) {
            append(store.keyTable(), keyLine);
            out.add("key table " + store.keyTable() + ": added " + keyLine);
            String entry = updateSigningTable(store.signingTable(), tables, d, name, algorithm);
            out.add("signing table " + store.signingTable() + ": " + entry);
            try {
                store.reload();
                out.add("tables reloaded: mail From " + d + " is now signed with " + entry.replaceFirst("^.*?: ", ""));
            } catch (DkimConfigException e) {
                out.add("RELOAD FAILED (previous tables stay in use): " + e.getMessage());
            }
        } else {
            out.add("not registered (--no-register); after publishing the DNS record add this line to " + store.keyTable() + ":");
            out.add("  " + keyLine);
            out.add("and list '" + name + "' in the entry for " + d + " in " + store.signingTable() + ", then run 'smarthost-cli dkim reload'");
        }
        out.add("publish this DNS TXT record (" + record.strings().size() + " string(s) of at most 255 bytes):");
        out.add("  " + record.zoneFileLine());
        out.add("name:  " + record.name());
        for (String str : record.strings()) {
            out.add("string: \"" + str + "\"");
        }
        out.add("check it once published: smarthost-cli dkim check-dns " + d);
        return out;
    }

    /** Replaces the same-algorithm key in the domain's entry, or appends an entry; returns a description. */
    private static String updateSigningTable(Path signingTable, DkimTables tables, String domain, String keyName,
            DkimAlgorithm algorithm) throws IOException {
        List<String> lines = Files.exists(signingTable) ? Files.readAllLines(signingTable, StandardCharsets.UTF_8) : new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String content = (hash < 0 ? line : line.substring(0, hash)).trim();
            if (content.isEmpty()) {
                continue;
            }
            String[] parts = content.split("[\\s,]+");
            if (!parts[0].equalsIgnoreCase(domain)) {
                continue;
            }
            List<String> names = new ArrayList<>();
            List<String> replaced = new ArrayList<>();
            for (int p = 1; p < parts.length; p++) {
                DkimKey k = tables.keys().get(parts[p]);
                if (k != null && k.algorithm() == algorithm) {
                    replaced.add(parts[p]);
                } else {
                    names.add(parts[p]);
                }
            }
            names.add(keyName);
            String newLine = DkimTables.signingTableLine(parts[0], names);
            lines.set(i, newLine + (hash < 0 ? "" : "  " + line.substring(hash)));
            Files.write(signingTable, lines, StandardCharsets.UTF_8);
            return "line " + (i + 1) + " is now: " + newLine + (replaced.isEmpty() ? "" : " (replaced " + String.join(", ", replaced) + ")");
        }
        String newLine = DkimTables.signingTableLine(domain, List.of(keyName));
        append(signingTable, newLine);
        return "added: " + newLine;
    }

    private static void append(Path file, String line) throws IOException {
        String existing = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        String prefix = existing.isEmpty() || existing.endsWith("\n") ? "" : "\n";
        Files.writeString(file, prefix + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static List<String> checkDns(DkimTables tables, String domain, String resolver, TxtLookup dns) {
        String d = domain == null ? "" : domain.trim().toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        for (DkimKey k : tables.keys().values()) {
            if (!k.domain().equals(d)) {
                continue;
            }
            DnsRecord expected = k.dnsRecord();
            List<String> published;
            try {
                published = dns.lookup(expected.name(), resolver == null ? "" : resolver);
            } catch (IOException e) {
                out.add("ERROR    " + expected.name() + " (" + k.name() + "): " + e.getMessage());
                continue;
            }
            Optional<String> problem = published.isEmpty() ? expected.mismatch(null) : Optional.empty();
            if (!published.isEmpty()) {
                Optional<String> best = Optional.of("");
                for (String txt : published) {
                    Optional<String> m = expected.mismatch(txt);
                    if (m.isEmpty()) {
                        best = Optional.empty();
                        break;
                    }
                    best = m;
                }
                problem = best;
            }
            if (problem.isEmpty()) {
                out.add("OK       " + expected.name() + " (" + k.name() + ", " + k.algorithm().tag() + "): published key matches");
            } else {
                out.add("MISMATCH " + expected.name() + " (" + k.name() + ", " + k.algorithm().tag() + "): " + problem.get());
                out.add("         expected: " + expected.zoneFileLine());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no key for domain '" + d + "' in the key table (see 'smarthost-cli dkim list')");
        }
        return out;
    }
}
