package org.jsmarthost.core.rewrite;

import java.util.Objects;

/** An address rewritten by a rule: the new address and the rule that produced it (for logs and metrics). */
public final class RewriteResult {
    private final String original;
    private final String address;
    private final RewriteRule rule;

    RewriteResult(String original, String address, RewriteRule rule) {
        this.original = Objects.requireNonNull(original);
        this.address = Objects.requireNonNull(address);
        this.rule = Objects.requireNonNull(rule);
    }

    public String original() {
        return original;
    }

    /** The rewritten address. */
    public String address() {
        return address;
    }

    public RewriteRule rule() {
        return rule;
    }

    /** Shortcut for {@code rule().id()}. */
    public String ruleId() {
        return rule.id();
    }

    @Override
    public String toString() {
        return original + " -> " + address + " (rule " + rule.id() + ", line " + rule.line() + ")";
    }
}
