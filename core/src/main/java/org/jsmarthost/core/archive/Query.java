package org.jsmarthost.core.archive;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Search criteria; all given criteria must match (AND). Empty query = everything.
 *
 * <ul>
 *   <li>{@code sender}: MAIL FROM, case-insensitive; {@code @example.com} matches every sender of
 *       that domain; {@code <>} matches the null sender (bounces).</li>
 *   <li>{@code recipient}: any envelope recipient (including Bcc), same matching rules.</li>
 *   <li>{@code from}/{@code to}: time received, {@code from} inclusive, {@code to} exclusive.</li>
 *   <li>{@code messageId}: exact, with or without angle brackets.</li>
 *   <li>{@code subjectContains}: case-insensitive substring of the subject.</li>
 *   <li>{@code capturePoint}: only {@code received} or only {@code sent} captures.</li>
 *   <li>{@code includePurged}: also list entries whose content was purged (metadata only).</li>
 * </ul>
 */
public final class Query {
    private final String sender;
    private final String recipient;
    private final Instant from;
    private final Instant to;
    private final String messageId;
    private final String subjectContains;
    private final CapturePoint capturePoint;
    private final boolean includePurged;

    private Query(Builder b) {
        this.sender = lower(b.sender);
        this.recipient = lower(b.recipient);
        this.from = b.from;
        this.to = b.to;
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("date range: from " + from + " must be before to " + to);
        }
        this.messageId = b.messageId == null ? null : normalizeMessageId(b.messageId);
        this.subjectContains = lower(b.subjectContains);
        this.capturePoint = b.capturePoint;
        this.includePurged = b.includePurged;
    }

    private static String lower(String s) {
        return s == null || s.isEmpty() ? null : s.trim().toLowerCase(Locale.ROOT);
    }

    static String normalizeMessageId(String id) {
        String s = id.trim();
        if (s.startsWith("<") && s.endsWith(">") && s.length() >= 2) {
            s = s.substring(1, s.length() - 1);
        }
        return s;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The query that matches every (not purged) entry. */
    public static Query all() {
        return new Builder().build();
    }

    public Optional<String> sender() {
        return Optional.ofNullable(sender);
    }

    public Optional<String> recipient() {
        return Optional.ofNullable(recipient);
    }

    public Optional<Instant> from() {
        return Optional.ofNullable(from);
    }

    public Optional<Instant> to() {
        return Optional.ofNullable(to);
    }

    public Optional<String> messageId() {
        return Optional.ofNullable(messageId);
    }

    public Optional<String> subjectContains() {
        return Optional.ofNullable(subjectContains);
    }

    public Optional<CapturePoint> capturePoint() {
        return Optional.ofNullable(capturePoint);
    }

    public boolean includePurged() {
        return includePurged;
    }

    /** True if the entry matches every criterion of this query. */
    public boolean matches(ArchiveEntry e) {
        if (e.isPurged() && !includePurged) {
            return false;
        }
        return matchesEnvelope(e.envelope());
    }

    /** Envelope criteria only (ignores {@code includePurged}); used for legal-hold scopes. */
    public boolean matchesEnvelope(Envelope env) {
        if (sender != null && !addressMatches(sender, env.mailFrom())) {
            return false;
        }
        if (recipient != null) {
            boolean any = false;
            for (String r : env.recipients()) {
                if (addressMatches(recipient, r)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        if (from != null && env.received().isBefore(from)) {
            return false;
        }
        if (to != null && !env.received().isBefore(to)) {
            return false;
        }
        if (messageId != null && !messageId.equals(env.messageId().map(Query::normalizeMessageId).orElse(null))) {
            return false;
        }
        if (subjectContains != null
                && !env.subject().map(s -> s.toLowerCase(Locale.ROOT).contains(subjectContains)).orElse(false)) {
            return false;
        }
        return capturePoint == null || capturePoint == env.capturePoint();
    }

    static boolean addressMatches(String pattern, String address) {
        String a = address.toLowerCase(Locale.ROOT);
        if (pattern.equals("<>")) {
            return a.isEmpty();
        }
        if (pattern.startsWith("@")) {
            return a.endsWith(pattern);
        }
        return a.equals(pattern);
    }

    boolean isEmptyScope() {
        return sender == null && recipient == null && from == null && to == null && messageId == null
                && subjectContains == null && capturePoint == null;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Query)) {
            return false;
        }
        Query q = (Query) o;
        return Objects.equals(sender, q.sender) && Objects.equals(recipient, q.recipient)
                && Objects.equals(from, q.from) && Objects.equals(to, q.to)
                && Objects.equals(messageId, q.messageId) && Objects.equals(subjectContains, q.subjectContains)
                && capturePoint == q.capturePoint && includePurged == q.includePurged;
    }

    @Override
    public int hashCode() {
        return Objects.hash(sender, recipient, from, to, messageId, subjectContains, capturePoint, includePurged);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Query[");
        if (sender != null) {
            sb.append(" sender=").append(sender);
        }
        if (recipient != null) {
            sb.append(" recipient=").append(recipient);
        }
        if (from != null) {
            sb.append(" from=").append(from);
        }
        if (to != null) {
            sb.append(" to=").append(to);
        }
        if (messageId != null) {
            sb.append(" messageId=").append(messageId);
        }
        if (subjectContains != null) {
            sb.append(" subject~").append(subjectContains);
        }
        if (capturePoint != null) {
            sb.append(" capture=").append(capturePoint.token());
        }
        if (includePurged) {
            sb.append(" +purged");
        }
        return sb.append(" ]").toString();
    }

    public static final class Builder {
        private String sender;
        private String recipient;
        private Instant from;
        private Instant to;
        private String messageId;
        private String subjectContains;
        private CapturePoint capturePoint;
        private boolean includePurged;

        private Builder() {
        }

        public Builder sender(String v) {
            sender = v;
            return this;
        }

        public Builder recipient(String v) {
            recipient = v;
            return this;
        }

        public Builder from(Instant v) {
            from = v;
            return this;
        }

        public Builder to(Instant v) {
            to = v;
            return this;
        }

        public Builder messageId(String v) {
            messageId = v;
            return this;
        }

        public Builder subjectContains(String v) {
            subjectContains = v;
            return this;
        }

        public Builder capturePoint(CapturePoint v) {
            capturePoint = v;
            return this;
        }

        public Builder includePurged(boolean v) {
            includePurged = v;
            return this;
        }

        public Query build() {
            return new Query(this);
        }
    }
}
