package org.jsmarthost.mailets.archive;

/**
 * Management interface of the journal archive ({@code org.jsmarthost:type=Archive}), used by
 * {@code smarthost-cli archive ...}. Open types only.
 *
 * <p>A query is a list of criteria {@code key=value}: {@code from} (envelope sender, {@code <>} for the null
 * sender, {@code @domain} for a domain), {@code to} (any envelope recipient, incl. Bcc; {@code @domain}),
 * {@code since} and {@code until} (time received: {@code 2026-11-28} = that day in UTC, or an instant
 * {@code 2026-11-28T10:00:00Z}; {@code until} includes the day it names), {@code message-id},
 * {@code subject} (substring, case-insensitive), {@code capture} ({@code received}|{@code sent}). All given
 * criteria must match. Read operations never block archiving.
 */
public interface ArchiveMXBean {
    /** Absolute path of the archive root. */
    String getRoot();

    /** Number of entries (purged ones included). */
    int getEntries();

    /** The newest chain record, {@code seq:hash}: note it outside the server to detect truncation later. */
    String getHead();

    /** One line per matching entry, in archive order. */
    String[] search(String[] criteria);

    /** The entry with its full envelope. */
    String show(String id);

    /** Writes each match as {@code <seq>-<id>.eml} into {@code directory} (on the server host); returns the files. */
    String[] exportEml(String[] criteria, String directory);

    /** Writes the matches as one mboxrd file (on the server host); returns a summary line. */
    String exportMbox(String[] criteria, String file);

    /**
     * Re-hashes the chain and every stored message. Element 0 is {@code ok} or {@code broken}; the rest is the
     * report (records, contents checked, head, first broken link, warnings).
     */
    String[] verify();

    /** Places a legal hold on the entries matching {@code criteria} (empty = all). */
    String addHold(String caseId, String reason, String[] criteria, String actor);

    String removeHold(String caseId, String reason, String actor);

    String[] listHolds();

    /** Purges expired entries not under hold (recorded in the chain), or only lists them with {@code dryRun}. */
    String[] purge(boolean dryRun, String actor);
}
