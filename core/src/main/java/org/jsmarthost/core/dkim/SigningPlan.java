package org.jsmarthost.core.dkim;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of key selection for one message: the keys to sign with, or why it is not signed.
 * Immutable. Obtained from {@link DkimTables#select(String)} / {@link DkimTables#selectForFromHeaders(List)}
 * or built directly with {@link #sign(List)}.
 */
public final class SigningPlan {
    private final List<DkimKey> keys;
    private final String reason;
    private final String matchedPattern;

    private SigningPlan(List<DkimKey> keys, String reason, String matchedPattern) {
        this.keys = keys;
        this.reason = reason;
        this.matchedPattern = matchedPattern;
    }

    /** Sign with these keys (one DKIM-Signature each, in this order). */
    public static SigningPlan sign(List<DkimKey> keys) {
        return sign(keys, null);
    }

    static SigningPlan sign(List<DkimKey> keys, String matchedPattern) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a signing plan needs at least one key");
        }
        return new SigningPlan(List.copyOf(keys), null, matchedPattern);
    }

    /** Do not sign, for this human-readable reason. */
    public static SigningPlan notSigned(String reason) {
        return new SigningPlan(Collections.emptyList(), Objects.requireNonNull(reason), null);
    }

    public boolean isSigned() {
        return !keys.isEmpty();
    }

    /** The keys, empty when not signed. */
    public List<DkimKey> keys() {
        return keys;
    }

    /** Why not signed (e.g. "no DKIM key for From domain other.org"); null when signed. */
    public String reason() {
        return reason;
    }

    /** The signing-table pattern that selected the keys, when selected through tables. */
    public String matchedPattern() {
        return matchedPattern;
    }

    @Override
    public String toString() {
        return isSigned() ? "sign with " + keys + (matchedPattern == null ? "" : " (pattern " + matchedPattern + ")")
                : "not signed: " + reason;
    }
}
