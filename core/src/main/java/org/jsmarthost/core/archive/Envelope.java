package org.jsmarthost.core.archive;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The SMTP envelope and processing context of one archived message: everything the journal keeps
 * besides the message bytes themselves.
 *
 * <p>Recipients are the <em>envelope</em> recipients (RCPT TO), so Bcc recipients are included even
 * though they do not appear in any header. {@code mailFrom} is the empty string for the null sender
 * {@code <>}. {@code messageId} and {@code subject} are taken from the headers by the caller (subject
 * already RFC 2047-decoded); they are metadata for search only, the message bytes are authoritative.
 *
 * <p>{@code mailName} (the MTA's unique name of the mail) together with the {@link CapturePoint} is the
 * exactly-once key: appending the same name and capture point again returns the existing entry.
 * {@code linkId} ties the received and sent captures of one mail together (the adapter typically uses
 * the mail name of the received mail).
 */
public final class Envelope {
    private final String mailName;
    private final CapturePoint capturePoint;
    private final String linkId;
    private final String mailFrom;
    private final List<String> recipients;
    private final String clientIp;
    private final String helo;
    private final String authUser;
    private final Instant received;
    private final String messageId;
    private final String subject;
    private final String decision;
    private final String ruleId;
    private final List<String> trace;

    private Envelope(Builder b) {
        this.mailName = require(b.mailName, "mailName");
        this.capturePoint = Objects.requireNonNull(b.capturePoint, "capturePoint must be set");
        this.linkId = b.linkId == null || b.linkId.isEmpty() ? b.mailName : b.linkId;
        this.mailFrom = b.mailFrom == null ? "" : b.mailFrom;
        if (b.recipients.isEmpty()) {
            throw new IllegalArgumentException("recipients: an envelope needs at least one recipient");
        }
        for (String r : b.recipients) {
            if (r == null || r.isEmpty()) {
                throw new IllegalArgumentException("recipients: empty recipient in " + b.recipients);
            }
        }
        this.recipients = Collections.unmodifiableList(new ArrayList<>(b.recipients));
        this.clientIp = b.clientIp;
        this.helo = b.helo;
        this.authUser = b.authUser;
        this.received = Objects.requireNonNull(b.received, "received (time received) must be set");
        this.messageId = b.messageId;
        this.subject = b.subject;
        this.decision = b.decision;
        this.ruleId = b.ruleId;
        this.trace = Collections.unmodifiableList(new ArrayList<>(b.trace));
    }

    private static String require(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " must be a non-empty string, got '" + value + "'");
        }
        return value;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this envelope's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.mailName = mailName;
        b.capturePoint = capturePoint;
        b.linkId = linkId;
        b.mailFrom = mailFrom;
        b.recipients.addAll(recipients);
        b.clientIp = clientIp;
        b.helo = helo;
        b.authUser = authUser;
        b.received = received;
        b.messageId = messageId;
        b.subject = subject;
        b.decision = decision;
        b.ruleId = ruleId;
        b.trace.addAll(trace);
        return b;
    }

    public String mailName() {
        return mailName;
    }

    public CapturePoint capturePoint() {
        return capturePoint;
    }

    public String linkId() {
        return linkId;
    }

    /** MAIL FROM address, {@code ""} for the null sender. */
    public String mailFrom() {
        return mailFrom;
    }

    /** All envelope recipients (RCPT TO), including Bcc recipients, in the order given. */
    public List<String> recipients() {
        return recipients;
    }

    public Optional<String> clientIp() {
        return Optional.ofNullable(clientIp);
    }

    public Optional<String> helo() {
        return Optional.ofNullable(helo);
    }

    public Optional<String> authUser() {
        return Optional.ofNullable(authUser);
    }

    public Instant received() {
        return received;
    }

    public Optional<String> messageId() {
        return Optional.ofNullable(messageId);
    }

    public Optional<String> subject() {
        return Optional.ofNullable(subject);
    }

    /** The relay decision (e.g. {@code relay}, {@code deliver-local}). */
    public Optional<String> decision() {
        return Optional.ofNullable(decision);
    }

    /** Id of the relay rule that produced the decision. */
    public Optional<String> ruleId() {
        return Optional.ofNullable(ruleId);
    }

    /** The pack's processing trace, one step per element. */
    public List<String> trace() {
        return trace;
    }

    /** Domain part of {@link #mailFrom()}, lower-case; empty for the null sender or a sender without '@'. */
    public String senderDomain() {
        int at = mailFrom.lastIndexOf('@');
        return at < 0 ? "" : mailFrom.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Envelope)) {
            return false;
        }
        Envelope e = (Envelope) o;
        return mailName.equals(e.mailName) && capturePoint == e.capturePoint && linkId.equals(e.linkId)
                && mailFrom.equals(e.mailFrom) && recipients.equals(e.recipients)
                && Objects.equals(clientIp, e.clientIp) && Objects.equals(helo, e.helo)
                && Objects.equals(authUser, e.authUser) && received.equals(e.received)
                && Objects.equals(messageId, e.messageId) && Objects.equals(subject, e.subject)
                && Objects.equals(decision, e.decision) && Objects.equals(ruleId, e.ruleId)
                && trace.equals(e.trace);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mailName, capturePoint, linkId, mailFrom, recipients, received, messageId);
    }

    @Override
    public String toString() {
        return "Envelope[" + mailName + "/" + capturePoint.token() + " from=<" + mailFrom + "> rcpt="
                + recipients + " received=" + received + "]";
    }

    /** Builder for {@link Envelope}; mailName, capturePoint, at least one recipient and received are required. */
    public static final class Builder {
        private String mailName;
        private CapturePoint capturePoint;
        private String linkId;
        private String mailFrom;
        private final List<String> recipients = new ArrayList<>();
        private String clientIp;
        private String helo;
        private String authUser;
        private Instant received;
        private String messageId;
        private String subject;
        private String decision;
        private String ruleId;
        private final List<String> trace = new ArrayList<>();

        private Builder() {
        }

        public Builder mailName(String v) {
            this.mailName = v;
            return this;
        }

        public Builder capturePoint(CapturePoint v) {
            this.capturePoint = v;
            return this;
        }

        public Builder linkId(String v) {
            this.linkId = v;
            return this;
        }

        public Builder mailFrom(String v) {
            this.mailFrom = v;
            return this;
        }

        public Builder recipient(String v) {
            this.recipients.add(v);
            return this;
        }

        public Builder recipients(List<String> v) {
            this.recipients.clear();
            this.recipients.addAll(v);
            return this;
        }

        public Builder clientIp(String v) {
            this.clientIp = v;
            return this;
        }

        public Builder helo(String v) {
            this.helo = v;
            return this;
        }

        public Builder authUser(String v) {
            this.authUser = v;
            return this;
        }

        public Builder received(Instant v) {
            this.received = v;
            return this;
        }

        public Builder messageId(String v) {
            this.messageId = v;
            return this;
        }

        public Builder subject(String v) {
            this.subject = v;
            return this;
        }

        public Builder decision(String v) {
            this.decision = v;
            return this;
        }

        public Builder ruleId(String v) {
            this.ruleId = v;
            return this;
        }

        public Builder traceStep(String v) {
            this.trace.add(Objects.requireNonNull(v, "trace step"));
            return this;
        }

        public Builder trace(List<String> v) {
            this.trace.clear();
            this.trace.addAll(v);
            return this;
        }

        public Envelope build() {
            return new Envelope(this);
        }
    }
}
