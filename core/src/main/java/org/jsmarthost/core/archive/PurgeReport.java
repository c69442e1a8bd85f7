package org.jsmarthost.core.archive;

import java.time.Instant;
import java.util.Collections;
import java.util.List;

/** Result of {@link ArchiveStore#purge(boolean, String)}. */
public final class PurgeReport {
    private final boolean dryRun;
    private final String actor;
    private final Instant at;
    private final List<ArchiveEntry> purged;
    private final List<ArchiveEntry> heldBack;
    private final long firstRecordSeq;

    PurgeReport(boolean dryRun, String actor, Instant at, List<ArchiveEntry> purged, List<ArchiveEntry> heldBack,
            long firstRecordSeq) {
        this.dryRun = dryRun;
        this.actor = actor;
        this.at = at;
        this.purged = Collections.unmodifiableList(purged);
        this.heldBack = Collections.unmodifiableList(heldBack);
        this.firstRecordSeq = firstRecordSeq;
    }

    public boolean dryRun() {
        return dryRun;
    }

    public String actor() {
        return actor;
    }

    public Instant at() {
        return at;
    }

    /** Expired entries whose content was (or, in a dry run, would be) removed. */
    public List<ArchiveEntry> purged() {
        return purged;
    }

    /** Expired entries kept because a legal hold covers them. */
    public List<ArchiveEntry> heldBack() {
        return heldBack;
    }

    /** Sequence number of the first {@code purge} record written, -1 for a dry run or when nothing expired. */
    public long firstRecordSeq() {
        return firstRecordSeq;
    }

    @Override
    public String toString() {
        return (dryRun ? "DRY RUN: would purge " : "purged ") + purged.size() + " entries, " + heldBack.size()
                + " expired but held";
    }
}
