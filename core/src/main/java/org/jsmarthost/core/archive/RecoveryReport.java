package org.jsmarthost.core.archive;

import java.util.Collections;
import java.util.List;

/** What {@link ArchiveStore#open} had to repair after an unclean shutdown (all zero after a clean one). */
public final class RecoveryReport {
    private final long truncatedBytes;
    private final int removedTempFiles;
    private final List<String> quarantinedOrphans;
    private final int completedPurges;

    RecoveryReport(long truncatedBytes, int removedTempFiles, List<String> quarantinedOrphans, int completedPurges) {
        this.truncatedBytes = truncatedBytes;
        this.removedTempFiles = removedTempFiles;
        this.quarantinedOrphans = Collections.unmodifiableList(quarantinedOrphans);
        this.completedPurges = completedPurges;
    }

    /** Bytes of a torn (incomplete) last index record that were cut off. */
    public long truncatedBytes() {
        return truncatedBytes;
    }

    /** Half-written temporary files deleted. */
    public int removedTempFiles() {
        return removedTempFiles;
    }

    /** Content objects without an index record, moved to {@code orphans/} (keys). */
    public List<String> quarantinedOrphans() {
        return quarantinedOrphans;
    }

    /** Contents of already-recorded purges that were still present and are now deleted. */
    public int completedPurges() {
        return completedPurges;
    }

    public boolean clean() {
        return truncatedBytes == 0 && removedTempFiles == 0 && quarantinedOrphans.isEmpty() && completedPurges == 0;
    }

    @Override
    public String toString() {
        return "RecoveryReport[truncated=" + truncatedBytes + "B temp=" + removedTempFiles + " orphans="
                + quarantinedOrphans.size() + " completedPurges=" + completedPurges + "]";
    }
}
