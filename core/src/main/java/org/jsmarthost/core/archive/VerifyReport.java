package org.jsmarthost.core.archive;

import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Result of {@link ArchiveStore#verify()}: either the whole chain and every kept content verified, or the
 * FIRST broken link (lowest sequence number) with its reason.
 */
public final class VerifyReport {

    /** Why a link of the chain is broken. */
    public enum Reason {
        /** The stored message no longer has the SHA-256 recorded in its entry (or is not valid gzip). */
        CONTENT_CHANGED,
        /** The content of a kept (not purged) entry is gone. */
        CONTENT_MISSING,
        /** An index record was altered: its hash does not match, it no longer parses, or the next record's link to it differs. */
        RECORD_CHANGED,
        /** An index record is missing from the chain. */
        RECORD_REMOVED,
        /** Index records are not in chain order. */
        RECORDS_REORDERED,
        /** The chain ends before (or differs at) the anchor the caller expected. */
        ANCHOR_MISMATCH
    }

    /** The first broken link. */
    public static final class Problem {
        private final long seq;
        private final Reason reason;
        private final String detail;

        Problem(long seq, Reason reason, String detail) {
            this.seq = seq;
            this.reason = reason;
            this.detail = detail;
        }

        /** Sequence number of the broken record (for removed records: the missing sequence number). */
        public long seq() {
            return seq;
        }

        public Reason reason() {
            return reason;
        }

        public String detail() {
            return detail;
        }

        @Override
        public String toString() {
            return "seq " + seq + ": " + reason + " - " + detail;
        }
    }

    private final long records;
    private final long contentsChecked;
    private final ChainHead head;
    private final Problem problem;
    private final List<String> warnings;

    VerifyReport(long records, long contentsChecked, ChainHead head, Problem problem, List<String> warnings) {
        this.records = records;
        this.contentsChecked = contentsChecked;
        this.head = head;
        this.problem = problem;
        this.warnings = Collections.unmodifiableList(warnings);
    }

    public boolean ok() {
        return problem == null;
    }

    /** Index records read. */
    public long records() {
        return records;
    }

    /** Content objects re-hashed. */
    public long contentsChecked() {
        return contentsChecked;
    }

    /** The last record of the chain as read by verify; write it down elsewhere to detect tail truncation later. */
    public ChainHead head() {
        return head;
    }

    public Optional<Problem> firstProblem() {
        return Optional.ofNullable(problem);
    }

    /** Non-fatal findings, e.g. quarantined orphan content. */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public String toString() {
        return ok() ? "OK: " + records + " records, " + contentsChecked + " contents verified, head " + head
                : "BROKEN at " + problem + " (" + records + " records read)";
    }
}
