package org.jsmarthost.core.archive;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Metadata of one archived message: its position in the hash chain ({@link #seq()}), its id, the
 * envelope, the SHA-256 and size of the (uncompressed) message and where the content is stored.
 * The message bytes are read with {@link ArchiveStore#openMessage(String)}.
 */
public final class ArchiveEntry {
    private final long seq;
    private final String id;
    private final Envelope envelope;
    private final String sha256;
    private final long size;
    private final String contentKey;
    private final Instant archivedAt;
    private final Instant purgedAt;

    ArchiveEntry(long seq, String id, Envelope envelope, String sha256, long size, String contentKey,
            Instant archivedAt, Instant purgedAt) {
        this.seq = seq;
        this.id = Objects.requireNonNull(id);
        this.envelope = Objects.requireNonNull(envelope);
        this.sha256 = Objects.requireNonNull(sha256);
        this.size = size;
        this.contentKey = Objects.requireNonNull(contentKey);
        this.archivedAt = Objects.requireNonNull(archivedAt);
        this.purgedAt = purgedAt;
    }

    ArchiveEntry purged(Instant at) {
        return new ArchiveEntry(seq, id, envelope, sha256, size, contentKey, archivedAt, at);
    }

    /** Sequence number of the index record that holds this entry (0-based, position in the chain). */
    public long seq() {
        return seq;
    }

    /** Unique entry id (32 lower-case hex characters). */
    public String id() {
        return id;
    }

    public Envelope envelope() {
        return envelope;
    }

    /** SHA-256 of the uncompressed message bytes, lower-case hex. */
    public String sha256() {
        return sha256;
    }

    /** Size of the uncompressed message in bytes. */
    public long size() {
        return size;
    }

    /** Key of the content object in the content store (relative path for the embedded store). */
    public String contentKey() {
        return contentKey;
    }

    /** When the entry was made durable in the archive (store clock). */
    public Instant archivedAt() {
        return archivedAt;
    }

    /** When the content was purged by retention; empty while the content is kept. */
    public Optional<Instant> purgedAt() {
        return Optional.ofNullable(purgedAt);
    }

    public boolean isPurged() {
        return purgedAt != null;
    }

    /** A human-readable multi-line description (the {@code archive show} output). */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        line(sb, "Entry", id);
        line(sb, "Sequence", Long.toString(seq));
        line(sb, "Mail name", envelope.mailName());
        line(sb, "Capture point", envelope.capturePoint().token());
        line(sb, "Link id", envelope.linkId());
        line(sb, "MAIL FROM", "<" + envelope.mailFrom() + ">");
        for (String r : envelope.recipients()) {
            line(sb, "RCPT TO", "<" + r + ">");
        }
        line(sb, "Client IP", envelope.clientIp().orElse("-"));
        line(sb, "HELO", envelope.helo().orElse("-"));
        line(sb, "Auth user", envelope.authUser().orElse("-"));
        line(sb, "Received", envelope.received().toString());
        line(sb, "Message-ID", envelope.messageId().orElse("-"));
        line(sb, "Subject", envelope.subject().orElse("-"));
        line(sb, "Decision", envelope.decision().orElse("-"));
        line(sb, "Rule", envelope.ruleId().orElse("-"));
        for (String t : envelope.trace()) {
            line(sb, "Trace", t);
        }
        line(sb, "Size", size + " bytes");
        line(sb, "SHA-256", sha256);
        line(sb, "Archived", archivedAt.toString());
        line(sb, "Content", purgedAt == null ? contentKey : "purged at " + purgedAt);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append(':');
        for (int i = key.length(); i < 14; i++) {
            sb.append(' ');
        }
        sb.append(' ').append(value).append('\n');
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ArchiveEntry)) {
            return false;
        }
        ArchiveEntry e = (ArchiveEntry) o;
        return seq == e.seq && id.equals(e.id) && envelope.equals(e.envelope) && sha256.equals(e.sha256)
                && size == e.size && contentKey.equals(e.contentKey) && archivedAt.equals(e.archivedAt)
                && Objects.equals(purgedAt, e.purgedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, id);
    }

    @Override
    public String toString() {
        return "ArchiveEntry[#" + seq + " " + id + " " + envelope + (purgedAt == null ? "" : " purged") + "]";
    }
}
