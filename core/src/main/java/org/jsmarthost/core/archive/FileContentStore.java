package org.jsmarthost.core.archive;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Embedded content store: one file per object under {@code <root>/content/<key>}; keys look like
 * {@code ab/abcdef…(32 hex).gz} (two-character shard directories keep directories small).
 *
 * <p>Writing is durable, and an object is complete before anything refers to it (the archive writes the index
 * record that references an object only after {@link ContentSink#commit()} returned):
 * <ul>
 *   <li><b>Preallocated files</b> (the archive's path, {@link #newId()}): the store creates
 *       {@value #PREALLOCATE} empty files at once, all in one shard directory, and fsyncs that directory
 *       once, so their names are durable before they are used. {@link #newId()} hands out one of them; the
 *       object's bytes are written into it and {@link ContentSink#commit()} fsyncs the file. One fsync per object
 *       (plus 1/{@value #PREALLOCATE} of a directory fsync) instead of the other path's two fsyncs and a rename.
 *       Unused preallocated files are removed by {@link #close()}; after a crash, the empty ones are removed at
 *       the next open by {@link #removeIncomplete()} (an object is never empty: gzip writes at least 20 bytes)
 *       and a half-written one is an object no index record references, which the archive quarantines.</li>
 *   <li><b>Any other key</b> given to {@link #create}: bytes go to a hidden temporary file
 *       {@code .<name>.<random>.tmp} in the target directory, which is fsynced ({@link FileChannel#force}), renamed
 *       onto the final name (atomic move), and then the directory itself is fsynced so the new directory entry
 *       survives a crash. A crash leaves either no file, a temporary file (deleted by {@link #removeIncomplete()}
 *       at the next open), or the complete object.</li>
 * </ul>
 * A newly created shard directory is made durable in its parent too.
 * Quarantined objects (content without index record) are moved to {@code <root>/orphans/<key>}.
 */
public final class FileContentStore implements ContentStore {
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{2}/[0-9a-f]{32}\\.gz");

    /** Empty files created (and their directory fsynced) at once for {@link #newId()}. */
    static final int PREALLOCATE = 64;

    private final Path contentDir;
    private final Path orphanDir;
    /** Ids of preallocated empty files not handed out yet. */
    private final java.util.concurrent.ConcurrentLinkedQueue<String> preallocated = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Ids handed out by {@link #newId()} whose file was not opened by {@link #create} yet. */
    private final Set<String> handedOut = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Object refillLock = new Object();
    private final java.security.SecureRandom random = new java.security.SecureRandom();
    /** Guarded by refillLock. */
    private boolean closed;

    public FileContentStore(Path root) throws IOException {
        this.contentDir = root.resolve("content");
        this.orphanDir = root.resolve("orphans");
        boolean created = !Files.isDirectory(contentDir);
        Files.createDirectories(contentDir);
        Files.createDirectories(orphanDir);
        if (created) {
            fsyncDir(root);
        }
    }

    private Path path(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("content key '" + key + "' is not valid, expected xx/<32 hex>.gz");
        }
        return contentDir.resolve(key);
    }

    @Override
    public String newId() throws IOException {
        while (true) {
            String id = preallocated.poll();
            if (id != null) {
                handedOut.add(id);
                return id;
            }
            refill();
        }
    }

    /**
     * Creates {@value #PREALLOCATE} empty files in one (random) shard directory and fsyncs it once. Threads that
     * find the pool empty at the same time wait for one refill instead of each making their own.
     */
    private void refill() throws IOException {
        synchronized (refillLock) {
            if (closed) {
                throw new IOException("content store " + contentDir + " is closed");
            }
            if (!preallocated.isEmpty()) {
                return;
            }
            byte[] b = new byte[16];
            random.nextBytes(b);
            String shard = IndexRecord.hex(b).substring(0, 2);
            Path dir = contentDir.resolve(shard);
            ensureDir(dir);
            List<String> ids = new ArrayList<>(PREALLOCATE);
            for (int i = 0; i < PREALLOCATE; i++) {
                random.nextBytes(b);
                String id = shard + IndexRecord.hex(b).substring(2);
                Files.newByteChannel(dir.resolve(id + ".gz"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                ids.add(id);
            }
            fsyncDir(dir);
            preallocated.addAll(ids);
        }
    }

    /** Creates a shard directory if needed and makes its entry in content/ durable. */
    private void ensureDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            fsyncDir(contentDir);
        }
    }

    @Override
    public ContentSink create(String key) throws IOException {
        Path target = path(key);
        String id = target.getFileName().toString().substring(0, 32);
        if (key.startsWith(id.substring(0, 2) + "/") && handedOut.remove(id)) {
            // a preallocated empty file whose name is durable already: written in place, fsynced at commit
            FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            return new FileSink(ch, null, target);
        }
        Path dir = target.getParent();
        ensureDir(dir);
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FileSink(ch, tmp, target);
    }

    private static final class FileSink implements ContentSink {
        private final FileChannel channel;
        private final Path tmp;
        private final Path target;
        private final OutputStream out;
        private boolean committed;
        private boolean closed;

        /** tmp == null: writing a preallocated file in place (no rename, its directory entry is durable). */
        FileSink(FileChannel channel, Path tmp, Path target) {
            this.channel = channel;
            this.tmp = tmp;
            this.target = target;
            OutputStream raw = Channels.newOutputStream(channel);
            this.out = new BufferedOutputStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    raw.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    raw.write(b, off, len);
                }

                @Override
                public void close() {
                    // the sink owns the channel
                }
            }, 8192); // gzip's header, its deflated chunks and trailer of a usual message in one write; a chunk of
                      // 8 KiB or more passes straight through (a 64 KiB buffer per capture was zeroed for nothing)
        }

        @Override
        public OutputStream stream() {
            return out;
        }

        @Override
        public void commit() throws IOException {
            out.flush();
            channel.force(true);
            channel.close();
            if (tmp != null) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                fsyncDir(target.getParent());
            }
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (!committed) {
                try {
                    channel.close();
                } finally {
                    // a preallocated file is deleted too (not fsynced: if it comes back after a crash, it is empty
                    // and removed at open, or half-written and quarantined as content without index record)
                    Files.deleteIfExists(tmp != null ? tmp : target);
                }
            }
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(path(key));
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(path(key));
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String key : keys) {
            Path p = path(key);
            if (Files.deleteIfExists(p)) {
                dirs.add(p.getParent());
            }
        }
        for (Path d : dirs) {
            fsyncDir(d);
        }
    }

    @Override
    public List<String> keys() throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(contentDir)) {
            for (Path shard : shards) {
                if (!Files.isDirectory(shard)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(shard)) {
                    for (Path f : files) {
                        String key = shard.getFileName() + "/" + f.getFileName();
                        if (KEY.matcher(key).matches()) {
                            out.add(key);
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public int removeIncomplete() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(contentDir)) {
            for (Path shard : shards) {
                if (!Files.isDirectory(shard)) {
                    continue;
                }
                boolean any = false;
                try (DirectoryStream<Path> files = Files.newDirectoryStream(shard, ".*.tmp")) {
                    for (Path f : files) {
                        Files.deleteIfExists(f);
                        n++;
                        any = true;
                    }
                }
                // preallocated files never written (a crash, or a kill before close): empty, not counted as
                // incomplete objects
                try (DirectoryStream<Path> files = Files.newDirectoryStream(shard, "*.gz")) {
                    for (Path f : files) {
                        if (Files.size(f) == 0 && KEY.matcher(shard.getFileName() + "/" + f.getFileName()).matches()) {
                            Files.deleteIfExists(f);
                            any = true;
                        }
                    }
                }
                if (any) {
                    fsyncDir(shard);
                }
            }
        }
        return n;
    }

    @Override
    public void quarantine(String key) throws IOException {
        Path src = path(key);
        Path dst = orphanDir.resolve(key);
        Files.createDirectories(dst.getParent());
        Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir(dst.getParent());
        fsyncDir(src.getParent());
    }

    @Override
    public int quarantinedCount() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(orphanDir)) {
            for (Path shard : shards) {
                if (Files.isDirectory(shard)) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(shard)) {
                        for (Path f : files) {
                            n++;
                        }
                    }
                }
            }
        }
        return n;
    }

    /** Removes the preallocated files not handed out (not fsynced: leftovers are empty, removed at next open). */
    @Override
    public void close() {
        synchronized (refillLock) {
            closed = true;
            for (String id; (id = preallocated.poll()) != null; ) {
                try {
                    Files.deleteIfExists(contentDir.resolve(ContentStore.keyOf(id)));
                } catch (IOException e) {
                    // an empty file: removed at the next open
                }
            }
        }
    }

    /** Makes directory entries (creations, renames, deletions) in {@code dir} durable. */
    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
