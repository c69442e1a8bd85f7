package org.jsmarthost.core.relay;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@link RelayDecider} or {@link SendQuotas}: an outcome, the SMTP reply (code, enhanced status,
 * text naming the reason and the rule), the rule id, and the identity/next hop where they apply.
 *
 * <ul>
 * <li>{@link Outcome#ALLOW}: the pack accepts (relay outbound, relay inbound to a relay domain, sender ok).</li>
 * <li>{@link Outcome#LOCAL}: recipient is in a James local domain: the adapter declines and lets James's normal
 *     behaviour decide (it never widens what the stock hooks allow).</li>
 * <li>{@link Outcome#REFUSE}: permanent 5xx refusal at SMTP time.</li>
 * <li>{@link Outcome#TEMPFAIL}: temporary 4xx refusal (quota, failed lookup).</li>
 * </ul>
 */
public final class Decision {
    /** What the adapter does. */
    public enum Outcome { ALLOW, LOCAL, REFUSE, TEMPFAIL }

    private final Outcome outcome;
    private final int code;
    private final String status;
    private final String text;
    private final String ruleId;
    private final Identity identity;
    private final NextHop nextHop;

    private Decision(Outcome outcome, int code, String status, String text, String ruleId, Identity identity,
            NextHop nextHop) {
        this.outcome = outcome;
        this.code = code;
        this.status = status;
        this.text = text;
        this.ruleId = Objects.requireNonNull(ruleId);
        this.identity = identity;
        this.nextHop = nextHop;
    }

    static Decision allow(String status, String text, String ruleId, Identity identity, NextHop nextHop) {
        return new Decision(Outcome.ALLOW, 250, status, text, ruleId, identity, nextHop);
    }

    static Decision local(String ruleId) {
        return new Decision(Outcome.LOCAL, 250, "2.1.5", "Recipient in a local domain", ruleId, null, null);
    }

    static Decision refuse(int code, String status, String text, String ruleId) {
        if (code < 500 || code > 599) {
            throw new IllegalArgumentException("refusal code " + code);
        }
        return new Decision(Outcome.REFUSE, code, status, text, ruleId, null, null);
    }

    static Decision tempfail(int code, String status, String text, String ruleId) {
        if (code < 400 || code > 499) {
            throw new IllegalArgumentException("tempfail code " + code);
        }
        return new Decision(Outcome.TEMPFAIL, code, status, text, ruleId, null, null);
    }

    public Outcome outcome() {
        return outcome;
    }

    /** True for {@link Outcome#ALLOW}. */
    public boolean isAllowed() {
        return outcome == Outcome.ALLOW;
    }

    /** True for {@link Outcome#REFUSE} and {@link Outcome#TEMPFAIL}. */
    public boolean isRefused() {
        return outcome == Outcome.REFUSE || outcome == Outcome.TEMPFAIL;
    }

    /** SMTP reply code (250 for ALLOW and LOCAL). */
    public int code() {
        return code;
    }

    /** RFC 3463 enhanced status code, e.g. {@code 5.7.1}. */
    public String enhancedStatus() {
        return status;
    }

    /** Human text naming the reason and ending with {@code [rule RULE-ID]}. */
    public String text() {
        return text + " [rule " + ruleId + "]";
    }

    /** The full one-line SMTP reply: {@code 550 5.7.1 Relay access denied: ... [rule ...]}. */
    public String reply() {
        return code + " " + status + " " + text();
    }

    public String ruleId() {
        return ruleId;
    }

    /** The identity that proved an outbound relay (or was checked). */
    public Optional<Identity> identity() {
        return Optional.ofNullable(identity);
    }

    /** For an inbound relay-domain recipient: where the mail goes. */
    public Optional<NextHop> nextHop() {
        return Optional.ofNullable(nextHop);
    }

    @Override
    public String toString() {
        return outcome.name().toLowerCase(Locale.ROOT) + " " + reply();
    }
}
