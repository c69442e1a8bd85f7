package org.jsmarthost.core.dkim;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The DNS TXT record that publishes a DKIM public key: name {@code selector._domainkey.domain},
 * value {@code v=DKIM1; k=rsa|ed25519; p=BASE64}.
 *
 * <p>Example zone-file line for a 2048-bit RSA key (TXT strings are limited to 255 bytes, so the
 * value is split into several quoted strings which resolvers concatenate):
 * <pre>
 * s2026._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; p=MIIBIjANBg...(first 255 bytes)"
 *     "...rest" )
 * </pre>
 */
public final class DnsRecord {
    /** Largest character-string in a TXT record (RFC 1035). */
    public static final int MAX_STRING = 255;

    private final String name;
    private final String value;

    private DnsRecord(String name, String value) {
        this.name = name;
        this.value = value;
    }

    /** The record for a key published under {@code selector._domainkey.domain}. */
    public static DnsRecord of(String domain, String selector, DkimPrivateKey key) {
        return of(domain, selector, key.algorithm(), key.publicKeyRecordBytes());
    }

    /** The record for public-key bytes ({@code p=} content, see {@link DkimPrivateKey#publicKeyRecordBytes()}). */
    public static DnsRecord of(String domain, String selector, DkimAlgorithm algorithm, byte[] publicKey) {
        String name = selector.toLowerCase(Locale.ROOT) + "._domainkey." + domain.toLowerCase(Locale.ROOT);
        String value = "v=DKIM1; k=" + algorithm.keyType() + "; p=" + Base64.getEncoder().encodeToString(publicKey);
        return new DnsRecord(name, value);
    }

    /** The owner name without trailing dot, e.g. {@code s2026._domainkey.example.com}. */
    public String name() {
        return name;
    }

    /** The record text (what a resolver returns after joining the strings). */
    public String value() {
        return value;
    }

    /** The value split into strings of at most 255 bytes (the record only has US-ASCII). */
    public List<String> strings() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < value.length(); i += MAX_STRING) {
            out.add(value.substring(i, Math.min(value.length(), i + MAX_STRING)));
        }
        return Collections.unmodifiableList(out);
    }

    /** A BIND zone-file line: {@code name. IN TXT ( "..." "..." )}. */
    public String zoneFileLine() {
        StringBuilder sb = new StringBuilder(name).append(". IN TXT (");
        for (String s : strings()) {
            sb.append(" \"").append(s).append('"');
        }
        return sb.append(" )").toString();
    }

    /**
     * Compares a published TXT record (strings joined) with this one, for {@code check-dns}: same key
     * type ({@code k=}, default rsa) and same public key ({@code p=}, white space ignored).
     *
     * @return empty when they match, else what differs
     */
    public java.util.Optional<String> mismatch(String published) {
        if (published == null) {
            return java.util.Optional.of("no TXT record published at " + name);
        }
        TagList pub;
        try {
            pub = TagList.parse(published);
        } catch (IllegalArgumentException e) {
            return java.util.Optional.of("published record is not a DKIM key record: " + e.getMessage());
        }
        TagList mine = TagList.parse(value);
        if (pub.has("v") && !"DKIM1".equals(pub.get("v"))) {
            return java.util.Optional.of("published v=" + pub.get("v") + ", expected DKIM1");
        }
        String k = pub.has("k") ? pub.get("k").toLowerCase(Locale.ROOT) : "rsa";
        if (!k.equals(mine.get("k"))) {
            return java.util.Optional.of("published key type k=" + k + ", expected k=" + mine.get("k"));
        }
        String p = pub.has("p") ? TagList.noWsp(pub.get("p")) : null;
        if (p == null || p.isEmpty()) {
            return java.util.Optional.of("published record has no public key (p= missing or empty: revoked)");
        }
        if (!p.equals(mine.get("p"))) {
            return java.util.Optional.of("published public key p= differs from the private key's public key");
        }
        return java.util.Optional.empty();
    }

    @Override
    public String toString() {
        return zoneFileLine();
    }
}
