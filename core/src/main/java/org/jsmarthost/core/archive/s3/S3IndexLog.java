package org.jsmarthost.core.archive.s3;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.jsmarthost.core.archive.IndexLog;

/**
 * The index chain of one archive node in an S3 bucket: one object per record,
 * {@code <prefix>index/<seq, 20 digits>}, holding the record line. Each record is written with a conditional
 * PUT ({@code If-None-Match: *}): a sequence number can be claimed once, so a second writer on the same
 * prefix (a misconfigured twin node) makes the append fail instead of overwriting the chain; the archive
 * then refuses writes until reopened (fail closed). S3 objects appear whole or not at all, so there is never
 * a torn record to cut off ({@link #recover()} returns 0).
 */
public final class S3IndexLog implements IndexLog {
    private final S3Client s3;
    private final String prefix;

    public S3IndexLog(S3Client s3, String prefix) {
        this.s3 = s3;
        this.prefix = prefix;
    }

    static String name(long seq) {
        return String.format(Locale.ROOT, "%020d", seq);
    }

    @Override
    public long recover() {
        return 0;
    }

    @Override
    public void read(RecordHandler handler) throws IOException {
        for (S3Client.ObjectInfo o : s3.list(prefix + "index/")) {
            handler.record(new String(s3.getBytes(o.key), StandardCharsets.UTF_8));
        }
    }

    @Override
    public synchronized void append(List<String> records) throws IOException {
        for (String r : records) {
            if (r.indexOf('\n') >= 0 || r.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("index record contains a line break");
            }
            if (!r.startsWith("seq=")) {
                throw new IllegalArgumentException("index record does not start with seq=");
            }
            long seq = Long.parseLong(r.substring(4, r.indexOf('\t')));
            if (!s3.put(prefix + "index/" + name(seq), r.getBytes(StandardCharsets.UTF_8), true)) {
                throw new IOException("index record " + seq + " under s3://" + s3.bucket() + "/" + prefix
                    + "index/ was written by another writer (HTTP 412): two archive nodes use the same node prefix");
            }
        }
    }

    @Override
    public void close() {
        // nothing held open
    }
}
