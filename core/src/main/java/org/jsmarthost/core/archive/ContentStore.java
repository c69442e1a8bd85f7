package org.jsmarthost.core.archive;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Storage of message content objects (back-end SPI). An object is written once under a key and never
 * modified; it is removed only by a recorded purge. The bytes given are stored as-is (the archive
 * compresses before). The embedded implementation is {@link FileContentStore}; an S3-API implementation
 * maps a key to an object key, {@link ContentSink#commit()} to completing the (multipart) upload, and
 * {@link #removeIncomplete()} to aborting stale multipart uploads.
 */
public interface ContentStore extends Closeable {

    /** A content object being written. {@link #close()} without {@link #commit()} discards it. */
    interface ContentSink extends Closeable {
        OutputStream stream();

        /** Makes the object durable and visible under its key; returns only when it is. */
        void commit() throws IOException;
    }

    /**
     * A fresh object id (32 lower-case hex characters) for the next {@link #create}; the key of the object is
     * {@code id[0..2]/id.gz}. A store may hand out ids of objects it prepared in advance (the file store's
     * preallocated files), so callers take ids from here rather than making their own.
     */
    default String newId() throws IOException {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** The content key of the object with this id ({@code ab/ab…(32 hex).gz}). */
    static String keyOf(String id) {
        return id.substring(0, 2) + "/" + id + ".gz";
    }

    /** Starts writing the object {@code key}. */
    ContentSink create(String key) throws IOException;

    /** Reads the stored bytes of {@code key}; {@link java.nio.file.NoSuchFileException} if absent. */
    InputStream open(String key) throws IOException;

    boolean exists(String key) throws IOException;

    /** Deletes the objects (missing ones are ignored); returns when the deletion is durable. */
    void delete(Collection<String> keys) throws IOException;

    /** Keys of all committed objects (not the quarantined ones). */
    List<String> keys() throws IOException;

    /** Discards half-written objects left by a crash; returns how many. Only called while no append runs. */
    int removeIncomplete() throws IOException;

    /** Moves a committed object that no index record references out of the way (kept for inspection). */
    void quarantine(String key) throws IOException;

    /** Number of quarantined objects. */
    int quarantinedCount() throws IOException;
}
