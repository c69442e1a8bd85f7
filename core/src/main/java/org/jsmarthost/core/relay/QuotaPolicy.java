package org.jsmarthost.core.relay;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Send quota configuration: default limits for every identity and for every sender domain, plus per-identity
 * and per-domain overrides (already merged with the defaults at parse time).
 */
public final class QuotaPolicy {
    /** No quotas at all. */
    public static final QuotaPolicy NONE = new QuotaPolicy(QuotaLimits.NONE, QuotaLimits.NONE, Map.of(), Map.of());

    private final QuotaLimits identityDefault;
    private final QuotaLimits domainDefault;
    private final Map<String, QuotaLimits> identityOverrides;
    private final Map<String, QuotaLimits> domainOverrides;

    QuotaPolicy(QuotaLimits identityDefault, QuotaLimits domainDefault, Map<String, QuotaLimits> identityOverrides,
            Map<String, QuotaLimits> domainOverrides) {
        this.identityDefault = Objects.requireNonNull(identityDefault);
        this.domainDefault = Objects.requireNonNull(domainDefault);
        this.identityOverrides = Collections.unmodifiableMap(new LinkedHashMap<>(identityOverrides));
        this.domainOverrides = Collections.unmodifiableMap(new LinkedHashMap<>(domainOverrides));
    }

    /** Limits for an identity name ({@link Identity#name()}), case-insensitive. */
    public QuotaLimits forIdentity(String identity) {
        return identityOverrides.getOrDefault(identity.toLowerCase(Locale.ROOT), identityDefault);
    }

    /** Limits for a sender domain. */
    public QuotaLimits forDomain(String domain) {
        return domainOverrides.getOrDefault(domain.toLowerCase(Locale.ROOT), domainDefault);
    }

    public QuotaLimits identityDefault() {
        return identityDefault;
    }

    public QuotaLimits domainDefault() {
        return domainDefault;
    }

    /** Per-identity limits (merged with the default), by lower-case identity name. */
    public Map<String, QuotaLimits> identityOverrides() {
        return identityOverrides;
    }

    /** Per-domain limits (merged with the default), by domain. */
    public Map<String, QuotaLimits> domainOverrides() {
        return domainOverrides;
    }
}
