package org.jsmarthost.core.archive.s3;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.jsmarthost.core.archive.ContentStore;

/**
 * Content objects of one archive node in an S3 bucket: {@code <prefix>content/<key>} (quarantined:
 * {@code <prefix>orphans/<key>}). The (already compressed) bytes are streamed into a local temporary file
 * while their SHA-256 is computed, then uploaded with one signed PUT; {@link ContentSink#commit()} returns
 * when S3 has acknowledged the object (S3 acknowledges only durable writes). Nothing half-written ever
 * becomes visible under a key, so {@link #removeIncomplete()} has nothing to do.
 *
 * <p>Orphan detection ({@link #keys()}) lists only objects older than {@code orphanGrace}: an object that
 * another process of the same node prefix is still between content and index write is never quarantined.
 */
public final class S3ContentStore implements ContentStore {
    private final S3Client s3;
    private final String prefix;
    private final Path tempDir;
    private final Clock clock;
    private final Duration orphanGrace;

    public S3ContentStore(S3Client s3, String prefix, Path tempDir, Clock clock, Duration orphanGrace) throws IOException {
        this.s3 = s3;
        this.prefix = prefix;
        this.tempDir = Files.createDirectories(tempDir);
        this.clock = clock;
        this.orphanGrace = orphanGrace;
    }

    private String object(String key) {
        return prefix + "content/" + key;
    }

    @Override
    public ContentSink create(String key) throws IOException {
        Path tmp = Files.createTempFile(tempDir, "upload-", ".tmp");
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        OutputStream out = new BufferedOutputStream(new DigestOutputStream(Files.newOutputStream(tmp), md), 65536);
        return new ContentSink() {
            private boolean closed;

            @Override
            public OutputStream stream() {
                return out;
            }

            @Override
            public void commit() throws IOException {
                out.close();
                s3.put(object(key), tmp, S3Client.hex(md.digest()), false);
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    try {
                        out.close();
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
            }
        };
    }

    @Override
    public InputStream open(String key) throws IOException {
        return s3.get(object(key));
    }

    @Override
    public boolean exists(String key) throws IOException {
        return s3.exists(object(key));
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        for (String k : keys) {
            s3.delete(object(k));
        }
    }

    @Override
    public List<String> keys() throws IOException {
        Instant youngest = clock.instant().minus(orphanGrace);
        List<String> out = new ArrayList<>();
        String p = prefix + "content/";
        for (S3Client.ObjectInfo o : s3.list(p)) {
            if (!o.lastModified.isAfter(youngest)) {
                out.add(o.key.substring(p.length()));
            }
        }
        return out;
    }

    @Override
    public int removeIncomplete() {
        return 0;
    }

    @Override
    public void quarantine(String key) throws IOException {
        byte[] b = s3.getBytes(object(key));
        s3.put(prefix + "orphans/" + key, b, false);
        s3.delete(object(key));
    }

    @Override
    public int quarantinedCount() throws IOException {
        return s3.list(prefix + "orphans/").size();
    }

    @Override
    public void close() {
        // nothing held open
    }
}
