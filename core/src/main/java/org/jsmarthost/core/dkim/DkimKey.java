package org.jsmarthost.core.dkim;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A named signing key: signing domain {@code d=}, selector {@code s=} and the private key (whose
 * type fixes the algorithm). Immutable.
 */
public final class DkimKey {
    private final String name;
    private final String domain;
    private final String selector;
    private final DkimPrivateKey privateKey;
    private final Path file;
    private volatile DnsRecord dnsRecord;

    /**
     * @param name the key-table name (free text identifier)
     * @param domain signing domain (lower-cased)
     * @param selector selector (lower-cased)
     * @param file the PEM file the key came from, or null
     */
    public DkimKey(String name, String domain, String selector, DkimPrivateKey privateKey, Path file) {
        this.name = Objects.requireNonNull(name, "name");
        this.domain = DomainNames.requireDomain(domain, "domain").toLowerCase(Locale.ROOT);
        this.selector = DomainNames.requireSelector(selector, "selector").toLowerCase(Locale.ROOT);
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.file = file;
    }

    public String name() {
        return name;
    }

    /** The {@code d=} signing domain. */
    public String domain() {
        return domain;
    }

    /** The {@code s=} selector. */
    public String selector() {
        return selector;
    }

    public DkimAlgorithm algorithm() {
        return privateKey.algorithm();
    }

    public DkimPrivateKey privateKey() {
        return privateKey;
    }

    /** Where the key was loaded from, if from a file. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The DNS record this key needs ({@code selector._domainkey.domain}). */
    public DnsRecord dnsRecord() {
        DnsRecord record = dnsRecord;
        if (record == null) {
            record = DnsRecord.of(domain, selector, privateKey); // derives the public key: once per key
            dnsRecord = record;
        }
        return record;
    }

    @Override
    public String toString() {
        return name + " (d=" + domain + " s=" + selector + " a=" + algorithm().tag() + ")";
    }
}
