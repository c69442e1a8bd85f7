package org.jsmarthost.core.archive;

import java.time.Instant;
import java.util.Objects;

/**
 * A legal hold: while active, no entry whose envelope matches {@link #scope()} is purged, whatever its
 * retention. Holds are recorded in the hash chain ({@code hold-add} / {@code hold-remove} records) with
 * who set them, when and why. The scope uses the envelope criteria of {@link Query}
 * (sender, recipient, date range, Message-ID, subject, capture point); an empty scope holds everything.
 */
public final class Hold {
    private final String caseId;
    private final String reason;
    private final Query scope;
    private final String actor;
    private final Instant addedAt;
    private final long seq;

    Hold(String caseId, String reason, Query scope, String actor, Instant addedAt, long seq) {
        this.caseId = Objects.requireNonNull(caseId);
        this.reason = Objects.requireNonNull(reason);
        this.scope = Objects.requireNonNull(scope);
        this.actor = Objects.requireNonNull(actor);
        this.addedAt = Objects.requireNonNull(addedAt);
        this.seq = seq;
    }

    public String caseId() {
        return caseId;
    }

    public String reason() {
        return reason;
    }

    public Query scope() {
        return scope;
    }

    public String actor() {
        return actor;
    }

    public Instant addedAt() {
        return addedAt;
    }

    /** Sequence number of the {@code hold-add} record. */
    public long seq() {
        return seq;
    }

    public boolean covers(ArchiveEntry e) {
        return scope.matchesEnvelope(e.envelope());
    }

    @Override
    public String toString() {
        return "Hold[" + caseId + " by " + actor + " at " + addedAt + ": " + reason + " scope=" + scope + "]";
    }
}
