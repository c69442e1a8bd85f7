package org.jsmarthost.core.archive;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * The append-only log of index records (back-end SPI). Each record is one line of UTF-8 text without
 * line breaks. The embedded implementation is {@link FileIndexLog} (one file, one line per record); an
 * S3-API implementation stores each record as its own object named by its zero-padded sequence number
 * (every record line starts with {@code seq=<n>}), written with a conditional put (If-None-Match: *) so
 * two writers can never both claim a sequence number. Multi-writer support then needs one more step in
 * {@link ArchiveStore} that the embedded store does not: on a lost race (HTTP 412) re-read the new tail
 * records, apply them, and re-chain the pending records onto the new head before retrying.
 */
public interface IndexLog extends Closeable {

    /** Receives records in log order. */
    interface RecordHandler {
        void record(String line) throws IOException;
    }

    /**
     * Repairs the log after a crash: an incomplete last record (torn write) is removed.
     * Returns the number of bytes cut off (0 if the log was clean).
     */
    long recover() throws IOException;

    /** Streams every complete record, oldest first. Safe to call while appends run. */
    void read(RecordHandler handler) throws IOException;

    /** Appends the records in order; returns only when all are durable. All or none on failure if possible. */
    void append(List<String> records) throws IOException;
}
