package org.jsmarthost.core.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Send quotas per identity and per sender domain, on top of a {@link QuotaCounter} (in memory, or Redis to share
 * them between James nodes). Limits come from the policy ({@code quota_*} keys, see {@link RelayPolicy}).
 *
 * <p>Windows are fixed: the UTC clock hour ({@code 14:00:00Z..15:00:00Z}) and the UTC day. Four counters per
 * subject: messages/hour, messages/day, recipients/hour, recipients/day. A consumption is checked against every
 * limited counter of the identity and of the sender domain; if any would exceed its limit, every increment of
 * that call is rolled back and the answer is a temporary refusal naming the subject, the limit and the reset
 * time (the end of the window):</p>
 * <ul>
 * <li>recipients: {@code 452 4.7.1 Send quota exceeded: identity alice@example.org may send to 500 recipients
 *     per hour; try again after 2026-11-28T15:00:00Z [rule quota.identity.recipients-per-hour]}</li>
 * <li>messages: {@code 451 4.7.1 ...} with rule {@code quota.<identity|domain>.messages-per-<hour|day>}.</li>
 * </ul>
 * <p>Intended use: {@link #consumeRecipients} at RCPT after an outbound {@link Decision} was allowed (its
 * {@link Decision#identity()}), {@link #consumeMessage} once per message after DATA. Under races between nodes
 * the rollback can make two callers both fail near the limit: it never lets both through (fail closed).</p>
 *
 * <p>Counter keys: {@code quota|<i|d>|<name>|<m|r>|<h|d>|<window start epoch seconds>}, where name is the
 * identity name or the domain with {@code %} and {@code |} percent-encoded; {@link #reset} deletes by the
 * {@code quota|<i|d>|<name>|} prefix.</p>
 */
public final class SendQuotas {
    /** Whose counter. */
    public enum Scope {
        IDENTITY("i", "identity"), DOMAIN("d", "domain");

        final String tag;
        final String label;

        Scope(String tag, String label) {
            this.tag = tag;
            this.label = label;
        }
    }

    private static final Duration GRACE = Duration.ofHours(1);

    private final QuotaCounter counter;
    private final Supplier<RelayPolicy> policy;

    public SendQuotas(QuotaCounter counter, Supplier<RelayPolicy> policy) {
        this.counter = Objects.requireNonNull(counter);
        this.policy = Objects.requireNonNull(policy);
    }

    /** Consumes {@code recipients} recipients for the identity and the sender domain (null for {@code <>}). */
    public Decision consumeRecipients(Identity identity, String senderDomain, int recipients, Instant now) {
        return consume(identity, senderDomain, true, recipients, now);
    }

    /** Consumes one message for the identity and the sender domain (null for {@code <>}). */
    public Decision consumeMessage(Identity identity, String senderDomain, Instant now) {
        return consume(identity, senderDomain, false, 1, now);
    }

    private static final class Check {
        final Scope scope;
        final String name;
        final boolean day;
        final long limit;

        Check(Scope scope, String name, boolean day, long limit) {
            this.scope = scope;
            this.name = name;
            this.day = day;
            this.limit = limit;
        }
    }

    private Decision consume(Identity identity, String senderDomain, boolean recipients, long n, Instant now) {
        Objects.requireNonNull(identity);
        if (n < 0) {
            throw new IllegalArgumentException("negative amount " + n);
        }
        QuotaPolicy q = policy.get().quotas();
        List<Check> checks = new ArrayList<>();
        addChecks(checks, Scope.IDENTITY, identity.name(), q.forIdentity(identity.name()), recipients);
        if (senderDomain != null) {
            String d = senderDomain.toLowerCase(Locale.ROOT);
            addChecks(checks, Scope.DOMAIN, d, q.forDomain(d), recipients);
        }
        if (n == 0 || checks.isEmpty()) {
            return Decision.allow("2.0.0", "Within send quota", RuleIds.QUOTA_OK, identity, null);
        }
        List<String> applied = new ArrayList<>();
        List<Instant> appliedExpiry = new ArrayList<>();
        for (Check c : checks) {
            Instant start = windowStart(now, c.day);
            Instant end = windowEnd(start, c.day);
            String key = key(c.scope, c.name, recipients, c.day, start);
            long total = counter.addAndGet(key, n, end.plus(GRACE));
            applied.add(key);
            appliedExpiry.add(end.plus(GRACE));
            if (total > c.limit) {
                for (int i = 0; i < applied.size(); i++) {
                    counter.addAndGet(applied.get(i), -n, appliedExpiry.get(i));
                }
                String what = recipients ? "to " + c.limit + " recipients" : c.limit + " messages";
                String rule = "quota." + c.scope.label + "." + (recipients ? "recipients" : "messages") + "-per-"
                        + (c.day ? "day" : "hour");
                String text = "Send quota exceeded: " + c.scope.label + " " + c.name + " may send " + what + " per "
                        + (c.day ? "day" : "hour") + "; try again after " + end;
                return recipients ? Decision.tempfail(452, "4.7.1", text, rule)
                        : Decision.tempfail(451, "4.7.1", text, rule);
            }
        }
        return Decision.allow("2.0.0", "Within send quota", RuleIds.QUOTA_OK, identity, null);
    }

    private static void addChecks(List<Check> checks, Scope scope, String name, QuotaLimits l, boolean recipients) {
        long hour = recipients ? l.recipientsPerHour() : l.messagesPerHour();
        long day = recipients ? l.recipientsPerDay() : l.messagesPerDay();
        if (hour != QuotaLimits.UNLIMITED) {
            checks.add(new Check(scope, name, false, hour));
        }
        if (day != QuotaLimits.UNLIMITED) {
            checks.add(new Check(scope, name, true, day));
        }
    }

    /** Current usage of one subject in the windows containing {@code now}. */
    public Usage usage(Scope scope, String name, Instant now) {
        String n = name.toLowerCase(Locale.ROOT);
        Instant h = windowStart(now, false);
        Instant d = windowStart(now, true);
        QuotaPolicy q = policy.get().quotas();
        return new Usage(scope, n, counter.get(key(scope, n, false, false, h)), counter.get(key(scope, n, false, true, d)),
                counter.get(key(scope, n, true, false, h)), counter.get(key(scope, n, true, true, d)),
                scope == Scope.IDENTITY ? q.forIdentity(n) : q.forDomain(n), windowEnd(h, false), windowEnd(d, true));
    }

    /** Forgets every counter of one subject ({@code smarthost-cli quota reset}); returns how many. */
    public int reset(Scope scope, String name) {
        return counter.reset("quota|" + scope.tag + "|" + encode(name.toLowerCase(Locale.ROOT)) + "|");
    }

    static Instant windowStart(Instant now, boolean day) {
        long s = now.getEpochSecond();
        long size = day ? 86400 : 3600;
        return Instant.ofEpochSecond(Math.floorDiv(s, size) * size);
    }

    private static Instant windowEnd(Instant start, boolean day) {
        return start.plusSeconds(day ? 86400 : 3600);
    }

    static String key(Scope scope, String name, boolean recipients, boolean day, Instant start) {
        return "quota|" + scope.tag + "|" + encode(name) + "|" + (recipients ? "r" : "m") + "|" + (day ? "d" : "h")
                + "|" + start.getEpochSecond();
    }

    private static String encode(String name) {
        return name.replace("%", "%25").replace("|", "%7C");
    }

    /** Counts and limits of one subject at one moment. */
    public static final class Usage {
        private final Scope scope;
        private final String name;
        private final long messagesHour;
        private final long messagesDay;
        private final long recipientsHour;
        private final long recipientsDay;
        private final QuotaLimits limits;
        private final Instant hourReset;
        private final Instant dayReset;

        Usage(Scope scope, String name, long messagesHour, long messagesDay, long recipientsHour, long recipientsDay,
                QuotaLimits limits, Instant hourReset, Instant dayReset) {
            this.scope = scope;
            this.name = name;
            this.messagesHour = messagesHour;
            this.messagesDay = messagesDay;
            this.recipientsHour = recipientsHour;
            this.recipientsDay = recipientsDay;
            this.limits = limits;
            this.hourReset = hourReset;
            this.dayReset = dayReset;
        }

        public Scope scope() {
            return scope;
        }

        public String name() {
            return name;
        }

        public long messagesHour() {
            return messagesHour;
        }

        public long messagesDay() {
            return messagesDay;
        }

        public long recipientsHour() {
            return recipientsHour;
        }

        public long recipientsDay() {
            return recipientsDay;
        }

        public QuotaLimits limits() {
            return limits;
        }

        public Instant hourReset() {
            return hourReset;
        }

        public Instant dayReset() {
            return dayReset;
        }

        @Override
        public String toString() {
            return scope.label + " " + name + ": messages " + messagesHour + "/h " + messagesDay + "/d, recipients "
                    + recipientsHour + "/h " + recipientsDay + "/d (limits " + limits + ")";
        }
    }
}
