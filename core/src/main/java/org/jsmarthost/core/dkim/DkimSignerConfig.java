package org.jsmarthost.core.dkim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the signer puts into each signature. Immutable; build with {@link #builder()}.
 *
 * <h2>Defaults</h2>
 * <ul>
 * <li>canonicalization {@code relaxed/relaxed}</li>
 * <li>signed header fields ({@link #DEFAULT_HEADERS}): the RFC 6376 section 5.4.1 list, each
 *     field signed as often as it occurs;</li>
 * <li>over-signed ({@link #DEFAULT_OVERSIGNED}): From, To, Cc, Subject, Date, Reply-To, Message-ID,
 *     MIME-Version, Content-Type are listed in {@code h=} once more than they occur, so a verifier
 *     rejects a copy of the message to which such a field was added;</li>
 * <li>{@code t=} (signing time) included, no {@code x=} (expiry); {@code l=} is never used;</li>
 * <li>RSA signatures by OpenSSL's libcrypto when usable, else by the JDK ({@link RsaEngine#AUTO}).</li>
 * </ul>
 * {@code Received}, {@code Return-Path} and other trace fields can never be signed (they change in
 * transit); {@code DKIM-Signature} is only signed when listed explicitly. {@code From} is always signed.
 */
public final class DkimSignerConfig {
    /** RFC 6376 5.4.1 recommended header fields (lower case), in h= order. */
    public static final List<String> DEFAULT_HEADERS = List.of(
            "from", "reply-to", "subject", "date", "to", "cc", "message-id",
            "resent-date", "resent-from", "resent-to", "resent-cc",
            "in-reply-to", "references",
            "list-id", "list-help", "list-unsubscribe", "list-unsubscribe-post", "list-subscribe",
            "list-post", "list-owner", "list-archive",
            "mime-version", "content-type", "content-transfer-encoding", "content-id", "content-description");

    /** Fields listed once more than they occur. */
    public static final Set<String> DEFAULT_OVERSIGNED = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            "from", "to", "cc", "subject", "date", "reply-to", "message-id", "mime-version", "content-type")));

    /** Trace fields that must never be signed. */
    public static final Set<String> NEVER_SIGNED = Set.of("received", "return-path");

    private final Canonicalization headerCanonicalization;
    private final Canonicalization bodyCanonicalization;
    private final List<String> headers;
    private final Set<String> oversigned;
    private final boolean timestamp;
    private final Duration expiry;
    private final RsaEngine rsaEngine;

    private DkimSignerConfig(Builder b) {
        this.headerCanonicalization = b.headerCanonicalization;
        this.bodyCanonicalization = b.bodyCanonicalization;
        this.headers = List.copyOf(b.headers);
        this.oversigned = Collections.unmodifiableSet(new LinkedHashSet<>(b.oversigned));
        this.timestamp = b.timestamp;
        this.expiry = b.expiry;
        this.rsaEngine = b.rsaEngine;
    }

    /** The defaults (see class doc). */
    public static DkimSignerConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Canonicalization headerCanonicalization() {
        return headerCanonicalization;
    }

    public Canonicalization bodyCanonicalization() {
        return bodyCanonicalization;
    }

    /** Lower-case names of the fields to sign, in h= order, without repetition. */
    public List<String> headers() {
        return headers;
    }

    /** Lower-case names of the over-signed fields. */
    public Set<String> oversigned() {
        return oversigned;
    }

    /** Whether {@code t=} is added. */
    public boolean timestamp() {
        return timestamp;
    }

    /** Signature lifetime for {@code x=}, or null for none. */
    public Duration expiry() {
        return expiry;
    }

    /** Who makes RSA signatures (default {@link RsaEngine#AUTO}). */
    public RsaEngine rsaEngine() {
        return rsaEngine;
    }

    /** The {@code c=} tag value, e.g. {@code relaxed/relaxed}. */
    public String canonicalizationTag() {
        return headerCanonicalization.tagValue() + "/" + bodyCanonicalization.tagValue();
    }

    /** Builder; all setters validate and name the bad value. */
    public static final class Builder {
        private Canonicalization headerCanonicalization = Canonicalization.RELAXED;
        private Canonicalization bodyCanonicalization = Canonicalization.RELAXED;
        private List<String> headers = DEFAULT_HEADERS;
        private Set<String> oversigned = DEFAULT_OVERSIGNED;
        private boolean timestamp = true;
        private Duration expiry;
        private RsaEngine rsaEngine = RsaEngine.AUTO;

        private Builder() {
        }

        /** Who makes RSA signatures; {@link RsaEngine#OPENSSL} is refused here when libcrypto is not usable. */
        public Builder rsaEngine(RsaEngine engine) {
            if (engine == RsaEngine.OPENSSL && !OpenSslRsa.available()) {
                throw new IllegalArgumentException("RSA engine 'openssl' is not usable: OpenSSL libcrypto is "
                        + OpenSslRsa.status() + "; expected auto or jdk, or install OpenSSL 3 or 1.1.1 (libcrypto)");
            }
            this.rsaEngine = java.util.Objects.requireNonNull(engine);
            return this;
        }

        public Builder canonicalization(Canonicalization header, Canonicalization body) {
            this.headerCanonicalization = header;
            this.bodyCanonicalization = body;
            return this;
        }

        /** Parses a {@code c=}-style value: {@code relaxed/relaxed}, {@code simple/relaxed}, {@code relaxed} (body simple). */
        public Builder canonicalization(String value) {
            String[] parts = value.trim().split("/", -1);
            if (parts.length > 2) {
                throw new IllegalArgumentException("canonicalization '" + value + "' is invalid, expected header/body e.g. relaxed/relaxed");
            }
            return canonicalization(Canonicalization.parse(parts[0]),
                    parts.length == 2 ? Canonicalization.parse(parts[1]) : Canonicalization.SIMPLE);
        }

        /**
         * The fields to sign (case-insensitive names, without repetition; order kept).
         *
         * @throws IllegalArgumentException if a name is a trace field, is not a valid field name, or From is missing
         */
        public Builder headers(List<String> names) {
            List<String> out = new ArrayList<>();
            for (String n : names) {
                String l = n.trim().toLowerCase(Locale.ROOT);
                if (!l.matches("[\\x21-\\x39\\x3b-\\x7e]+")) {
                    throw new IllegalArgumentException("header name '" + n + "' is not a valid field name");
                }
                if (NEVER_SIGNED.contains(l)) {
                    throw new IllegalArgumentException("header '" + n + "' is a trace field and must not be signed (it changes in transit)");
                }
                if (!out.contains(l)) {
                    out.add(l);
                }
            }
            if (!out.contains("from")) {
                throw new IllegalArgumentException("header list " + names + " lacks From, which DKIM requires to be signed");
            }
            this.headers = out;
            return this;
        }

        /** The fields to over-sign (case-insensitive); they are signed even when not in {@link #headers(List)}. */
        public Builder oversigned(Set<String> names) {
            Set<String> out = new LinkedHashSet<>();
            for (String n : names) {
                String l = n.trim().toLowerCase(Locale.ROOT);
                if (NEVER_SIGNED.contains(l)) {
                    throw new IllegalArgumentException("header '" + n + "' is a trace field and must not be signed (it changes in transit)");
                }
                out.add(l);
            }
            this.oversigned = out;
            return this;
        }

        public Builder timestamp(boolean on) {
            this.timestamp = on;
            return this;
        }

        /** Adds {@code x=} = signing time + lifetime (implies {@code t=}); null for none. */
        public Builder expiry(Duration lifetime) {
            if (lifetime != null && (lifetime.isNegative() || lifetime.isZero())) {
                throw new IllegalArgumentException("expiry '" + lifetime + "' must be positive");
            }
            this.expiry = lifetime;
            return this;
        }

        public DkimSignerConfig build() {
            if (expiry != null) {
                timestamp = true;
            }
            return new DkimSignerConfig(this);
        }
    }
}
