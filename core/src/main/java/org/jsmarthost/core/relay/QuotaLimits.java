package org.jsmarthost.core.relay;

import java.util.Locale;

/**
 * Send limits for one subject (an identity or a sender domain): messages and recipients per hour and per day.
 * {@link #UNLIMITED} ({@code -1}) means no limit for that counter. Windows are fixed UTC clock hours and UTC
 * days (see {@link SendQuotas}).
 */
public final class QuotaLimits {
    /** Value meaning "no limit". */
    public static final long UNLIMITED = -1;
    /** No limit at all. */
    public static final QuotaLimits NONE = new QuotaLimits(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED);

    private final long messagesPerHour;
    private final long messagesPerDay;
    private final long recipientsPerHour;
    private final long recipientsPerDay;

    public QuotaLimits(long messagesPerHour, long messagesPerDay, long recipientsPerHour, long recipientsPerDay) {
        this.messagesPerHour = check(messagesPerHour);
        this.messagesPerDay = check(messagesPerDay);
        this.recipientsPerHour = check(recipientsPerHour);
        this.recipientsPerDay = check(recipientsPerDay);
    }

    private static long check(long v) {
        if (v < UNLIMITED) {
            throw new IllegalArgumentException("limit " + v + " is negative, expected 0 or more (or unlimited)");
        }
        return v;
    }

    public long messagesPerHour() {
        return messagesPerHour;
    }

    public long messagesPerDay() {
        return messagesPerDay;
    }

    public long recipientsPerHour() {
        return recipientsPerHour;
    }

    public long recipientsPerDay() {
        return recipientsPerDay;
    }

    /** These limits with every limit that {@code override} sets (not {@code null}) replaced. */
    QuotaLimits with(Long mph, Long mpd, Long rph, Long rpd) {
        return new QuotaLimits(mph != null ? mph : messagesPerHour, mpd != null ? mpd : messagesPerDay,
                rph != null ? rph : recipientsPerHour, rpd != null ? rpd : recipientsPerDay);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof QuotaLimits)) {
            return false;
        }
        QuotaLimits q = (QuotaLimits) o;
        return q.messagesPerHour == messagesPerHour && q.messagesPerDay == messagesPerDay
                && q.recipientsPerHour == recipientsPerHour && q.recipientsPerDay == recipientsPerDay;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(messagesPerHour) ^ Long.hashCode(messagesPerDay * 31)
                ^ Long.hashCode(recipientsPerHour * 961) ^ Long.hashCode(recipientsPerDay * 29791);
    }

    private static String show(long v) {
        return v == UNLIMITED ? "unlimited" : Long.toString(v);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "messages_per_hour=%s, messages_per_day=%s, recipients_per_hour=%s,"
                + " recipients_per_day=%s", show(messagesPerHour), show(messagesPerDay), show(recipientsPerHour),
                show(recipientsPerDay));
    }
}
